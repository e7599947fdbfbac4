// A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can cut and restore:
// a true network boundary, so "the database went away" is tested without stopping the shared
// server. cut() destroys every live connection and, until restore(), refuses new ones with
// a reset ('reset') or accepts them and never forwards a byte ('blackhole': a partition).
import net from 'node:net';

export type CutMode = 'reset' | 'blackhole';

export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private mode: CutMode | undefined;
  /** Connections accepted so far (tests can see that clients reconnected). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get isCut(): boolean {
    return this.mode !== undefined;
  }

  /** Drops every connection now and handles new ones per `mode` until restore(). */
  cut(mode: CutMode = 'reset'): void {
    this.mode = mode;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    // Blackholed connections stay dead: a client must notice and reconnect, as after a real partition.
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.mode = undefined;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    this.accepted += 1;
    client.on('error', () => {});
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    if (this.mode === 'blackhole') return; // hold it open, forward nothing
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    this.sockets.add(upstream);
    upstream.once('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
