import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractionReply } from './extraction.js';
import { pricingDocument } from './pricing-docs.js';
import { errorReply, geminiBadKey, geminiStatus, openaiBadJson, openaiError, openaiMissingKey, xaiBody } from './errors.js';
import { geminiPathModel, handleGemini } from './gemini.js';
import { handleOpenAiFamily, openaiPersonality } from './openai.js';
import { resolvePlan, ScenarioSlot, scenarioFromHeaders, scenarioFromModel } from './scenario.js';
import { Gates } from './gates.js';
import { pause, sendReply, type Exchange } from './send.js';
import { newId } from './text.js';
import type { AbortInfo, Call, RecordedRequest, Reply, Scenario, SimProvider, Simulator, SimulatorOptions } from './types.js';
import { xaiPersonality } from './xai.js';

/**
 * A local upstream that speaks OpenAI, xAI and Gemini on one port:
 *   /v1/... and /openai/v1/...          OpenAI
 *   /xai/v1/...                         xAI
 *   /v1beta/... and /gemini/v1beta/...  Gemini (also /gemini/v1/...)
 * Plain node:http: benchmarks drive it at saturation, so the per-request path is one body
 * read, one JSON.parse, and one write when no delay is configured.
 */

// /gemini/v1 matters: @google/genai 3.x defaults the Developer API to "v1", not "v1beta".
const PREFIXES: [string, SimProvider, string][] = [
  ['/v1/', 'openai', 'v1'],
  ['/openai/v1/', 'openai', 'v1'],
  ['/xai/v1/', 'xai', 'v1'],
  ['/v1beta/', 'gemini', 'v1beta'],
  ['/gemini/v1beta/', 'gemini', 'v1beta'],
  ['/gemini/v1/', 'gemini', 'v1'],
];

function locate(path: string): { provider: SimProvider; route: string; apiVersion: string } | undefined {
  for (const [prefix, provider, apiVersion] of PREFIXES) {
    if (path.startsWith(prefix)) return { provider, route: path.slice(prefix.length), apiVersion };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function credential(provider: SimProvider, req: IncomingMessage, query: Record<string, string>): string | undefined {
  if (provider === 'gemini') {
    const key = req.headers['x-goog-api-key'];
    return typeof key === 'string' ? key : query.key;
  }
  return req.headers.authorization;
}

/** The provider's answer to a missing (requireAuth) or deliberately invalid key ("sim-invalid-key"). */
function authReply(provider: SimProvider, key: string | undefined, required: boolean): Reply | undefined {
  if (key === undefined || key === '') {
    if (!required) return undefined;
    if (provider === 'openai') return openaiMissingKey();
    if (provider === 'xai') return xaiBody(400, 'No API key provided. You can obtain an API key from https://console.x.ai.');
    return geminiStatus(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  }
  if (!key.includes('sim-invalid-key')) return undefined;
  if (provider === 'openai') return openaiError(401, { method: '', path: '' });
  if (provider === 'xai') return errorReply('xai', 400, { method: '', path: '' });
  return geminiBadKey();
}

function badJson(provider: SimProvider): Reply {
  if (provider === 'openai') return openaiBadJson();
  if (provider === 'xai') return xaiBody(400, 'Failed to deserialize the JSON body into the target type');
  return geminiStatus(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
}

class SimulatorServer {
  readonly events = new EventEmitter();
  readonly requests: RecordedRequest[] = [];
  closedSockets = 0;
  closing = false;
  private seq = 0;
  private readonly slot = new ScenarioSlot();
  readonly gates = new Gates();
  private readonly pendingAborts: AbortInfo[] = [];
  private readonly waiters: ((info: AbortInfo) => void)[] = [];
  private readonly maxRecorded: number;
  private readonly defaults: { chunkDelayMs: number; firstByteDelayMs: number };

  constructor(private readonly options: SimulatorOptions) {
    this.maxRecorded = options.maxRecordedRequests ?? 1000;
    this.defaults = { chunkDelayMs: options.chunkDelayMs ?? 0, firstByteDelayMs: options.firstByteDelayMs ?? 0 };
  }

  setScenario(scenario: Scenario | null): void {
    this.slot.set(scenario);
  }

  embeddingDims = (model: string): number => {
    const d = this.options.embeddingDimensions;
    if (typeof d === 'number') return d;
    return d?.[model] ?? 8;
  };

  waitForAbort(timeoutMs = 5000): Promise<AbortInfo> {
    const ready = this.pendingAborts.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter = (info: AbortInfo): void => {
        clearTimeout(timer);
        resolve(info);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`simulator: no client abort within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private recordAbort(info: AbortInfo): void {
    this.closedSockets++;
    this.events.emit('abort', info);
    const waiter = this.waiters.shift();
    if (waiter) waiter(info);
    else if (this.pendingAborts.push(info) > 1000) this.pendingAborts.shift();
  }

  private record(entry: RecordedRequest): void {
    if (this.maxRecorded <= 0) return;
    if (this.requests.push(entry) > this.maxRecorded) this.requests.shift();
    this.events.emit('request', entry);
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const seq = ++this.seq;
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query: Record<string, string> = q < 0 ? {} : Object.fromEntries(new URLSearchParams(rawUrl.slice(q + 1)));
    let resetByUs = false;
    let model: string | undefined;
    res.once('close', () => {
      // 'close' also follows a normal finish; only an unfinished response means the client left.
      if (res.writableFinished || resetByUs || this.closing) return;
      this.recordAbort({ seq, method, path, model, headersSent: res.headersSent, afterMs: Date.now() - startedAt });
    });

    let bodyText: string;
    try {
      bodyText = await readBody(req);
    } catch {
      return; // the client went away while sending; 'close' above counts it
    }
    const located = locate(path);
    const entry: RecordedRequest = { seq, at: startedAt, method, path, query, headers: req.headers, body: bodyText, responseBytes: 0 };
    if (!located) {
      this.record(entry);
      const doc = pricingDocument(method, path, query); // price list and pricing pages (pricing-docs.ts)
      if (doc) {
        res.writeHead(doc.status, { 'content-type': doc.contentType }).end(doc.body);
        return;
      }
      const ok = path === '/' || path === '/healthz';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not found');
      return;
    }
    const { provider, route, apiVersion } = located;
    entry.provider = provider;
    const ex: Exchange = {
      res,
      provider,
      requestId: newId('req_'),
      startedAt,
      markReset: () => (resetByUs = true),
      wrote: (bytes) => (entry.responseBytes += bytes),
    };

    let body: Record<string, unknown> | undefined;
    let reply: Reply | undefined;
    if (bodyText.length > 0) {
      try {
        const parsed: unknown = JSON.parse(bodyText);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        else reply = badJson(provider);
      } catch {
        reply = badJson(provider);
      }
    }
    if (provider === 'gemini') model = geminiPathModel(route);
    else if (typeof body?.model === 'string') model = body.model;
    else if (route.startsWith('models/')) model = decodeURIComponent(route.slice(7));
    entry.model = model;
    this.record(entry);

    const plan = resolvePlan(this.defaults, this.slot.take(path), scenarioFromHeaders(req.headers), scenarioFromModel(model));
    if (plan.hang) return; // no status line ever; 'close' fires when the client gives up
    if (plan.holdGate !== undefined && !(await this.gates.pass(plan.holdGate, res))) return;
    if (plan.firstByteDelayMs > 0 && !(await pause(plan.firstByteDelayMs, res))) return;

    try {
      reply ??= authReply(provider, credential(provider, req, query), this.options.requireAuth === true);
      if (!reply && plan.error !== undefined) {
        const streaming = route.endsWith(':streamGenerateContent');
        reply = errorReply(provider, plan.error, { model, method, path: route, streaming, apiVersion });
      }
      if (!reply) {
        const call: Call = { provider, apiVersion, method, route, query, body, model, plan, embeddingDims: this.embeddingDims };
        reply = extractionReply(call) ?? (provider === 'gemini' ? handleGemini(call) : handleOpenAiFamily(provider === 'xai' ? xaiPersonality : openaiPersonality, call));
      }
      await sendReply(ex, reply, plan);
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      await sendReply(ex, errorReply(provider, 500, { model, method, path: route }), plan);
    }
  };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new SimulatorServer(options);
  // keepAliveTimeout above undici's 4 s default, so pooled client sockets are never raced closed.
  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => void sim.handle(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    baseUrls: { openai: `${url}/v1`, xai: `${url}/xai/v1`, gemini: `${url}/gemini` },
    get requests() {
      return sim.requests;
    },
    clearRequests: () => {
      sim.requests.length = 0;
    },
    setScenario: (scenario) => sim.setScenario(scenario),
    get closedSockets() {
      return sim.closedSockets;
    },
    waitForAbort: (timeoutMs) => sim.waitForAbort(timeoutMs),
    closeGate: (name) => sim.gates.close(name),
    events: sim.events,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        sim.closing = true;
        server.close(() => resolve());
        // Hanging and keep-alive sockets would otherwise hold close() open forever.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
