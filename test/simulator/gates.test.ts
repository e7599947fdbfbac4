// The simulator's hold gates (src/simulator/gates.ts): a request naming a closed gate waits
// before its first byte until the test releases it; a client giving up leaves the gate; an
// unknown or released gate lets requests through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { eventually } from '../support/faults.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

function chat(gate: string | undefined, signal?: AbortSignal) {
  return fetch(`${sim.baseUrls.openai}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(gate ? { 'x-sim-hold-gate': gate } : {}) },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ...(signal ? { signal } : {}),
  });
}

describe('hold gates', () => {
  it('hold every request naming a closed gate until release, then answer them all', async () => {
    const gate = sim.closeGate('g-release');
    let answered = 0;
    const calls = Array.from({ length: 3 }, () => chat('g-release').then((r) => ((answered += 1), r.status)));
    await eventually(async () => (gate.waiting === 3 ? true : undefined), 'three requests at the gate');
    // Held, not answered: another request, ungated, goes through meanwhile.
    expect((await chat(undefined)).status).toBe(200);
    expect(answered).toBe(0);
    gate.release();
    expect(await Promise.all(calls)).toEqual([200, 200, 200]);
    expect(gate.waiting).toBe(0);
    // Released stays open: a later request naming it is not held.
    expect((await chat('g-release')).status).toBe(200);
  });

  it('a gate never closed lets requests through at once', async () => {
    expect((await chat('g-never-closed')).status).toBe(200);
  });

  it('a client that gives up leaves the gate, and its abort is seen', async () => {
    const gate = sim.closeGate('g-abort');
    const controller = new AbortController();
    const call = chat('g-abort', controller.signal).catch((error: Error) => error.name);
    await eventually(async () => (gate.waiting === 1 ? true : undefined), 'the request at the gate');
    const abort = sim.waitForAbort(5_000);
    controller.abort();
    expect(await call).toBe('AbortError');
    await abort;
    await eventually(async () => (gate.waiting === 0 ? true : undefined), 'the gate empty again');
    gate.release();
  });
});
