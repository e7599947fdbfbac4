/**
 * The ways an alert leaves the gateway. Each `send` either resolves (the receiver took it) or
 * rejects with a short reason; retries and bookkeeping belong to delivery.ts, not here.
 */
import nodemailer from 'nodemailer';
import type { GatewayConfig } from '../config/schema.js';
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
import { EVENT_TYPES, type AlertRow, type Channel } from './types.js';

/** The JSON a webhook receives. `timestamp` (Unix seconds) equals the timestamp header. */
export function webhookBody(alert: AlertRow, timestamp: number): string {
  return JSON.stringify({
    id: alert.id,
    type: EVENT_TYPES[alert.kind],
    timestamp,
    createdAt: alert.createdAt.toISOString(),
    message: alert.message,
    budgetId: alert.budgetId ?? null,
    level: alert.level ?? null,
    entityId: alert.entityId ?? null,
    periodId: alert.periodId ?? null,
    threshold: alert.threshold ?? null,
    provider: alert.provider ?? null,
    model: alert.model ?? null,
    details: alert.details,
  });
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (error) {
    throw new Error(`request failed: ${(error as Error).message}`);
  }
  // Drain the body so the connection can be reused; a receiver's text is only a hint.
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export function webhookChannel(url: string, secret: string, timeoutMs: number): Channel {
  return {
    name: 'webhook',
    async send(alert) {
      // Signed per attempt: each attempt carries a fresh timestamp the receiver can check.
      const timestamp = Math.floor(Date.now() / 1000);
      const body = webhookBody(alert, timestamp);
      await post(url, body, {
        [SIGNATURE_HEADER]: signBody(secret, body),
        [TIMESTAMP_HEADER]: String(timestamp),
        'x-tollgate-event': EVENT_TYPES[alert.kind],
        'x-tollgate-alert-id': alert.id,
        'user-agent': 'tollgate-alerts',
      }, timeoutMs);
    },
  };
}

/** A Slack (or Mattermost, Discord /slack, ...) incoming webhook: {"text": ...}. */
export function slackChannel(url: string, timeoutMs: number): Channel {
  return {
    name: 'slack',
    async send(alert) {
      await post(url, JSON.stringify({ text: `:rotating_light: ${alert.message}` }), {}, timeoutMs);
    },
  };
}

export function emailChannel(smtpUrl: string, from: string, to: string, timeoutMs: number): Channel {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 2 });
  const recipients = to.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    name: 'email',
    async send(alert) {
      await transport.sendMail({
        from,
        to: recipients,
        subject: `[Tollgate] ${alert.message}`.slice(0, 200),
        text: `${alert.message}\n\n${JSON.stringify(alert.details, null, 2)}\n\nAlert ${alert.id}, raised ${alert.createdAt.toISOString()}.\n`,
      });
    },
  };
}

/** Every channel the configuration turns on. */
export function channelsFromConfig(config: GatewayConfig['alerts']): Channel[] {
  const channels: Channel[] = [];
  const timeoutMs = config.webhook.timeoutMs;
  if (config.webhook.url && config.webhook.secret) channels.push(webhookChannel(config.webhook.url, config.webhook.secret, timeoutMs));
  if (config.slack.webhookUrl) channels.push(slackChannel(config.slack.webhookUrl, timeoutMs));
  if (config.email.smtpUrl && config.email.to) channels.push(emailChannel(config.email.smtpUrl, config.email.from, config.email.to, timeoutMs));
  return channels;
}
