// Bursts whose admitted calls must all still be in flight while the rest are decided: a settle
// releases the unspent part of an estimate, so one that lands early lets a later call in. The
// simulator holds each admitted call at a gate (src/simulator/gates.ts); the gate opens once
// every call of the burst is decided, i.e. has either reached the simulator (admitted, waiting at
// the gate) or been answered by the gateway (denied). No clock: a loaded machine only takes longer.
import { randomUUID } from 'node:crypto';
import type { Simulator } from '../../src/simulator/index.js';
import { eventually } from './faults.js';

/**
 * Fires `n` calls at once through `fire`, which must send the headers it is given, and resolves
 * with their results in order once all have ended.
 */
export async function gatedBurst<T>(simulator: Simulator, n: number, fire: (holdHeaders: Record<string, string>) => Promise<T>, timeoutMs = 60_000): Promise<T[]> {
  const name = randomUUID();
  const gate = simulator.closeGate(name);
  let answered = 0;
  try {
    const calls = Array.from({ length: n }, () =>
      fire({ 'x-sim-hold-gate': name }).finally(() => {
        answered += 1;
      }),
    );
    const all = Promise.all(calls);
    all.catch(() => {}); // rejections surface from `await all` below
    await eventually(async () => (gate.waiting + answered >= n ? true : undefined), `each of ${n} calls admitted (held upstream) or answered`, timeoutMs);
    gate.release();
    return await all;
  } finally {
    gate.release();
  }
}
