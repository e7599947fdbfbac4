// Daily budgets roll over at midnight in their time zone. A test that charges a daily budget and
// later compares its counter with what it charged would see a fresh, empty period if midnight
// fell in between. Where the period itself is not what a test checks, it calls this first: when
// the next midnight is near, it waits until that midnight has passed, so the whole test runs in
// one period. Away from midnight it returns at once.

/** Milliseconds from `now` until the next midnight in `timeZone`. */
export function msUntilMidnight(timeZone: string, now = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(now);
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsedMs = ((field('hour') * 60 + field('minute')) * 60 + field('second')) * 1000 + now.getMilliseconds();
  return 24 * 3600 * 1000 - elapsedMs;
}

/**
 * Waits past the coming midnight of each time zone when it is less than `marginMs` away
 * (default two minutes, longer than any one test file that uses it takes).
 */
export async function clearOfDayBoundary(timeZones: readonly string[] = ['UTC'], marginMs = 120_000): Promise<void> {
  for (const timeZone of timeZones) {
    const left = msUntilMidnight(timeZone);
    if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 1_000));
  }
}
