// A graceful shutdown does not wait for connections that carry no request: one opened and never
// used, and one kept alive after its request ended. A stream still running keeps its connection
// until it ends.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';

describe('graceful shutdown and quiet connections', () => {
  it('closes at once when the only connections are idle, never-used or kept alive (the grace is 30 s)', async () => {
    const t = await startTestGateway();
    const { port } = new URL(t.url);
    const silent = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => silent.once('connect', resolve));
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    // A keep-alive connection after one finished request.
    const answer = await fetch(`${t.url}/healthz`);
    expect(answer.status).toBe(200);
    await answer.arrayBuffer();

    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await silentClosed;
  });

  it('a stream in progress keeps its connection and completes', async () => {
    const t = await startTestGateway();
    const { port } = new URL(t.url);
    const idle = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'x-sim-chunk-delay-ms': '40' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Count slowly' }] }),
    });
    expect(response.status).toBe(200);
    const closing = t.close();
    const body = await response.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await closing;
    expect(idle.destroyed || idle.readyState === 'closed').toBe(true);
  });
});
