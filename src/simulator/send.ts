import type { ServerResponse } from 'node:http';
import type { Plan, Reply, SimProvider } from './types.js';

/**
 * Writing replies: JSON in one write with Content-Length, SSE either in one write (no delay:
 * the benchmark path), paced by the reader (a very long stream), or one event per write with
 * pauses, and the socket-reset scenario.
 */

/** Above this many events a stream is written as fast as the reader takes it, not in one write. */
const PACED_ABOVE_EVENTS = 1024;
/** Events are batched into writes of about this many characters on the paced path. */
const PACED_BATCH_CHARS = 16 * 1024;

export interface Exchange {
  res: ServerResponse;
  provider: SimProvider;
  requestId: string;
  startedAt: number;
  /** Called before the simulator destroys the socket itself, so it is not counted as a client abort. */
  markReset(): void;
  /** Told the size of every body write (RecordedRequest.responseBytes). */
  wrote(bytes: number): void;
}

/** res.write that reports what it handed over; false when the socket's buffer is full. */
function write(ex: Exchange, data: string): boolean {
  ex.wrote(Buffer.byteLength(data));
  return ex.res.write(data);
}

function end(ex: Exchange, data?: string): void {
  if (data !== undefined) ex.wrote(Buffer.byteLength(data));
  ex.res.end(data);
}

/** Resolves true once the socket took the buffered bytes, false if the response closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve(!res.destroyed);
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Writes a long stream without ever holding more than one batch beyond what the socket
 * accepted: a reader that stops reading stops this writer, as it would stop a real provider.
 */
async function writePaced(ex: Exchange, events: string[]): Promise<void> {
  let batch = '';
  for (const event of events) {
    batch += event;
    if (batch.length < PACED_BATCH_CHARS) continue;
    const room = write(ex, batch);
    batch = '';
    if (!room && !(await drained(ex.res))) return;
  }
  end(ex, batch);
}

const JSON_TYPE: Record<SimProvider, string> = {
  openai: 'application/json',
  xai: 'application/json',
  gemini: 'application/json; charset=UTF-8',
};

const SSE_TYPE: Record<SimProvider, string> = {
  openai: 'text/event-stream; charset=utf-8',
  xai: 'text/event-stream',
  gemini: 'text/event-stream',
};

/** Resolves true after `ms`, or false as soon as the response closes (client gone). */
export function pause(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function baseHeaders(ex: Exchange, contentType: string, plan: Plan, extra?: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType, 'x-request-id': ex.requestId };
  if (ex.provider === 'openai') {
    // The openai SDK surfaces x-request-id as `_request_id`; the other two are on every real answer.
    headers['openai-version'] = '2020-10-01';
    headers['openai-processing-ms'] = String(Date.now() - ex.startedAt);
  }
  if (extra) Object.assign(headers, extra);
  // Last, so a test can also override what the simulator would send itself.
  return plan.responseHeaders ? Object.assign(headers, plan.responseHeaders) : headers;
}

/** Destroys the connection after `data` reached the socket: a stream cut off mid-body. */
function cutOff(ex: Exchange, data: string): void {
  ex.markReset();
  ex.wrote(Buffer.byteLength(data));
  ex.res.write(data, () => ex.res.destroy());
}

export async function sendReply(ex: Exchange, reply: Reply, plan: Plan): Promise<void> {
  const { res } = ex;
  if (reply.kind === 'json') {
    if (plan.slow && reply.genChunks && !(await pause(plan.chunkDelayMs * reply.genChunks, res))) return;
    const text = JSON.stringify(reply.body);
    const headers = baseHeaders(ex, reply.contentType ?? JSON_TYPE[ex.provider], plan, reply.headers);
    // Node refuses a Trailer header on a Content-Length body: with one, the JSON goes chunked.
    if (headers.trailer === undefined) headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    if (plan.reset && reply.status < 400) return cutOff(ex, text.slice(0, Math.floor(text.length / 2)));
    end(ex, text);
    return;
  }

  const headers = baseHeaders(ex, reply.contentType ?? SSE_TYPE[ex.provider], plan, reply.headers);
  headers['cache-control'] = 'no-cache';
  res.writeHead(200, headers);
  const { events } = reply;
  if (plan.reset) {
    // Enough to be sure the client is mid-stream (role chunk + some text), never the end.
    const keep = Math.max(1, Math.min(3, events.length - 1));
    for (let i = 0; i < keep - 1; i++) {
      write(ex, events[i]!);
      if (plan.chunkDelayMs > 0 && !(await pause(plan.chunkDelayMs, res))) return;
    }
    return cutOff(ex, events[keep - 1] ?? '');
  }
  if (plan.chunkDelayMs <= 0) {
    if (events.length > PACED_ABOVE_EVENTS) return writePaced(ex, events);
    end(ex, events.join(''));
    return;
  }
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && !(await pause(plan.chunkDelayMs, res))) return;
    write(ex, events[i]!);
  }
  res.end();
}
