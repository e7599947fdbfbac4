// Load generators. Saturation: autocannon, closed loop, fixed connection count and duration.
// Fixed load: an open-loop generator (requests leave on a schedule whatever the answers do),
// bounded by a request count and a deadline. Streaming TTFB: one request at a time.
import autocannon from 'autocannon';
import { Pool } from 'undici';

/** Closed-loop saturation for `seconds`; returns completed 2xx per second and error counts. */
export async function saturate(target, { connections, seconds }) {
  const started = performance.now();
  const result = await autocannon({
    url: target.origin + target.path,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
  const wallS = (performance.now() - started) / 1000;
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration ?? wallS,
    rps: result['2xx'] / (result.duration ?? wallS),
  };
}

/**
 * Open loop at `rate` requests/s for `seconds` (so at most rate × seconds requests), each
 * request timed from the moment it is handed to the client to the end of its body. A request
 * still unanswered `timeoutMs` after the last send is counted as an error.
 */
export async function fixedRate(target, { rate, seconds, connections = 64, timeoutMs = 10_000 }) {
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = [];
  let errors = 0;
  let maxLagMs = 0;
  const inflight = new Set();
  const fire = () => {
    const t0 = performance.now();
    const p = pool
      .request({ path: target.path, method: 'POST', headers: target.headers, body: target.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      .then(async (res) => {
        await res.body.dump({ limit: Infinity });
        if (res.statusCode === 200) latencies.push(performance.now() - t0);
        else errors++;
      })
      .catch(() => errors++)
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const start = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * interval));
        fire();
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, timeoutMs + 1000))]);
  errors += inflight.size;
  await pool.destroy();
  return { latencies, errors, sent, achievedRate: sent / ((performance.now() - start) / 1000), maxLagMs };
}

/** Keeps one keep-alive pool per target across calls, so TTFB is never a connect. */
export function createTtfbClient() {
  const pools = new Map();
  return {
    /** One streamed request: ms to the first body byte, and whether the stream completed fine. */
    async once(target) {
      let pool = pools.get(target.origin);
      if (!pool) pools.set(target.origin, (pool = new Pool(target.origin, { connections: 1, pipelining: 1 })));
      const t0 = performance.now();
      const res = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body: target.body, headersTimeout: 10_000, bodyTimeout: 10_000 });
      let first;
      let text = '';
      for await (const chunk of res.body) {
        first ??= performance.now() - t0;
        text += chunk.toString('utf8');
      }
      const ok = res.statusCode === 200 && text.includes('data: [DONE]');
      return { ttfb: first ?? Number.NaN, ok };
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.destroy()));
    },
  };
}

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values) {
  return percentile(values, 50);
}
