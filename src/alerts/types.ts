/**
 * Alert shapes shared by the observer, the velocity check, the table and the channels.
 * Money in `details` is always a decimal string of USD, never a float.
 */
export type AlertKind = 'threshold' | 'velocity' | 'fallback_price' | 'price_change';
export type ChannelName = 'webhook' | 'slack' | 'email';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** What raising an alert needs; `dedupeKey` makes it fire once across every instance. */
export interface NewAlert {
  kind: AlertKind;
  dedupeKey: string;
  budgetId?: string;
  level?: string;
  entityId?: string;
  periodId?: string;
  threshold?: number;
  provider?: string;
  model?: string;
  message: string;
  details: Record<string, unknown>;
}

export interface ChannelState {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  deliveredAt?: string;
}

export type Deliveries = Partial<Record<ChannelName, ChannelState>>;

/** A `BudgetAlert` row as the delivery side sees it. */
export interface AlertRow extends NewAlert {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  deliveries: Deliveries;
  createdAt: Date;
}

/** One way out (webhook, Slack, email). `send` rejects when the receiver did not take it. */
export interface Channel {
  name: ChannelName;
  send(alert: AlertRow): Promise<void>;
}

/** The event type a receiver switches on, per kind. */
export const EVENT_TYPES: Record<AlertKind, string> = {
  threshold: 'budget.threshold',
  velocity: 'budget.velocity',
  fallback_price: 'pricing.fallback',
  price_change: 'pricing.change',
};
