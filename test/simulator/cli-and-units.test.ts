import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs, runSimulatorCli } from '../../src/simulator/cli.js';
import { resolvePlan, scenarioFromHeaders, scenarioFromModel, ScenarioSlot } from '../../src/simulator/scenario.js';
import { cachedTokensFor, countTokens, embedVector, makeAnswer, vectorToBase64 } from '../../src/simulator/text.js';

describe('tollgate simulate (runSimulatorCli)', () => {
  it('parses flags in both --flag value and --flag=value forms', () => {
    expect(parseSimulatorArgs([])).toEqual({ options: { port: 9090 } });
    expect(parseSimulatorArgs(['--port', '0', '--host=0.0.0.0', '--chunk-delay-ms', '25', '--first-byte-delay-ms=5'])).toEqual({
      options: { port: 0, host: '0.0.0.0', chunkDelayMs: 25, firstByteDelayMs: 5 },
    });
    expect(parseSimulatorArgs(['--port', 'abc'])).toEqual({ error: expect.stringContaining('--port must be an integer') });
    expect(parseSimulatorArgs(['--bogus'])).toEqual({ error: 'unknown option --bogus' });
    expect(parseSimulatorArgs(['--port'])).toEqual({ error: '--port needs a value' });
    expect(parseSimulatorArgs(['--help'])).toEqual({ help: true });
  });

  it('prints its URL, serves, and stops cleanly when signalled', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    let url = '';
    const listening = new Promise<void>((resolve) => {
      void runSimulatorCli(['--port', '0'], {
        out: (l) => lines.push(l),
        signal: controller.signal,
        onListening: (u) => {
          url = u;
          resolve();
        },
      }).then((code) => lines.push(`exit ${code}`));
    });
    await listening;
    expect(lines[0]).toBe(`Tollgate upstream simulator listening on ${url}`);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    controller.abort();
    await expect.poll(() => lines.at(-1)).toBe('exit 0');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits 2 with usage on bad arguments', async () => {
    const errors: string[] = [];
    expect(await runSimulatorCli(['--nope'], { err: (l) => errors.push(l) })).toBe(2);
    expect(errors[0]).toContain('unknown option --nope');
  });
});

describe('text and token helpers', () => {
  it('counts tokens like a BPE pre-tokenizer would, roughly', () => {
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(countTokens('')).toBe(0);
    expect(countTokens('a'.repeat(80))).toBe(10);
    expect(countTokens('你好世界')).toBe(4);
  });

  it('caches nothing below 2048 prompt tokens and half (in 128s) above', () => {
    expect(cachedTokensFor(2047)).toBe(0);
    expect(cachedTokensFor(2048)).toBe(1024);
    expect(cachedTokensFor(5000)).toBe(2432);
    expect(cachedTokensFor(100, 500)).toBe(100);
  });

  it('builds answers of 12–40 tokens that echo the prompt', () => {
    const a = makeAnswer({ lastUserText: 'zebra crossings', seed: 42, reasoningTokens: 0 });
    expect(a.text.startsWith('Simulated answer about zebra crossings:')).toBe(true);
    expect(a.pieces.length).toBeGreaterThanOrEqual(12);
    expect(a.pieces.length).toBeLessThanOrEqual(40);
    expect(a.pieces.join('')).toBe(a.text);
  });

  it('encodes vectors as little-endian float32 base64', () => {
    const v = embedVector('x', 4);
    const bytes = Buffer.from(vectorToBase64(v), 'base64');
    expect(bytes.length).toBe(16);
    const back = Array.from({ length: 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(back).toEqual(Array.from(v));
  });
});

describe('scenario resolution', () => {
  it('reads magic tokens from model names and x-sim-scenario headers', () => {
    expect(scenarioFromModel('gpt-4o-mini')).toBeUndefined();
    expect(scenarioFromModel('sim-error-503')).toEqual({ error: 503 });
    expect(scenarioFromModel('gpt-4o+sim-slow+sim-no-usage')).toEqual({ slow: true, noUsage: true });
    expect(scenarioFromModel('sim-error-quota')).toEqual({ error: 'quota' });
    expect(scenarioFromModel('sim-error-200')).toEqual({}); // not an error status: ignored
    expect(scenarioFromHeaders({ 'x-sim-scenario': 'hang, reset-midstream', 'x-sim-chunk-delay-ms': '7' })).toEqual({
      hang: true,
      resetMidstream: true,
      chunkDelayMs: 7,
    });
  });

  it('layers later sources over earlier ones and enforces the slow delay', () => {
    const plan = resolvePlan({ chunkDelayMs: 0, firstByteDelayMs: 0 }, { error: 500, chunkDelayMs: 5 }, undefined, { slow: true });
    expect(plan).toMatchObject({ error: 500, slow: true, chunkDelayMs: 50 });
  });

  it('counts down `times` and honours pathIncludes', () => {
    const slot = new ScenarioSlot();
    slot.set({ error: 500, times: 2, pathIncludes: '/xai/' });
    expect(slot.take('/v1/chat/completions')).toBeUndefined();
    expect(slot.take('/xai/v1/chat/completions')).toBeDefined();
    expect(slot.take('/xai/v1/chat/completions')).toBeDefined();
    expect(slot.take('/xai/v1/chat/completions')).toBeUndefined();
  });
});
