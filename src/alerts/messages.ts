/** Alert texts: one line a person can act on, the same for Slack, email subject and webhook. */
const LEVEL_NAMES: Record<string, string> = { organization: 'Organization', project: 'Project', team: 'Team', user: 'User', key: 'Key' };

export interface BudgetFacts {
  level: string;
  entityId: string;
  entityName?: string | null;
  period: string;
  periodId: string;
  limitUsd: string;
  spentUsd: string;
}

function who(b: BudgetFacts): string {
  return `${LEVEL_NAMES[b.level] ?? b.level} ${b.entityName ? `"${b.entityName}"` : b.entityId}`;
}

export function thresholdMessage(b: BudgetFacts, threshold: number): string {
  return `${who(b)} reached ${threshold}% of its ${b.period} budget: $${b.spentUsd} of $${b.limitUsd} spent (${b.periodId}).`;
}

export function velocityMessage(b: BudgetFacts, projectedUsd: string, exhaustsAt: Date): string {
  return `${who(b)} is on pace to spend $${projectedUsd} against its ${b.period} budget of $${b.limitUsd} (${b.periodId}); at the current rate it runs out at ${exhaustsAt.toISOString()}.`;
}

export function fallbackMessage(provider: string, model: string): string {
  return `No price is known for ${provider} model "${model}": its requests are priced by the fallback price until a price is added.`;
}
