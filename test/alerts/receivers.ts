// Local receivers for alert tests: an HTTP server standing in for a webhook / Slack endpoint
// (it can be told to fail the next N attempts), a minimal SMTP server, and a real second
// gateway process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  status: number;
}

export interface Receiver {
  url: string;
  /** Every request received, answered 2xx or not. */
  all: Delivery[];
  /** Requests answered 2xx. */
  ok(path?: string): Delivery[];
  /** Answer the next n requests (to `path`, or any) with 500. */
  failNext(n: number, path?: string): void;
  /** Hold every answer this long. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let failures = 0;
  let failPath: string | undefined;
  const all: Delivery[] = [];
  const receiver: Receiver = {
    url: '',
    all,
    ok: (path) => all.filter((d) => d.status < 300 && (!path || d.path === path)),
    failNext: (n, path) => {
      failures = n;
      failPath = path;
    },
    delayMs: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = failures > 0 && (!failPath || failPath === req.url);
      const status = fail ? 500 : 200;
      if (fail) failures -= 1;
      all.push({ path: req.url ?? '/', headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), status });
      setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver failed'), receiver.delayMs);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  receiver.url = `http://127.0.0.1:${address.port}`;
  return receiver;
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** Just enough SMTP (RFC 5321, no TLS, no auth) for nodemailer to hand over a message. */
export async function startSmtp(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    let current: Mail = { from: '', to: [], data: '' };
    socket.write('220 localhost test SMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let eol: number;
      while ((eol = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 OK queued\r\n');
          } else current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-localhost\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') (current.from = line), socket.write('250 OK\r\n');
        else if (verb === 'RCPT') current.to.push(line), socket.write('250 OK\r\n');
        else if (verb === 'DATA') (inData = true), socket.write('354 go ahead\r\n');
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, mails, close: () => new Promise((r) => server.close(() => r())) };
}

export interface ChildGateway {
  url: string;
  stop(): Promise<void>;
}

/** `node bin/tollgate.mjs start` as a separate process with the given environment. */
export async function spawnGateway(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-child-'));
  const child: ChildProcess = spawn(process.execPath, [join(process.cwd(), 'bin/tollgate.mjs'), 'start'], {
    cwd: dataDir,
    env: { ...process.env, ...env, TOLLGATE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child gateway did not start:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /Tollgate is listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`child gateway exited with ${code}:\n${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
