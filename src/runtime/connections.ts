/**
 * Which client connections are between requests. Node's `closeIdleConnections()` only knows
 * connections that have finished a request; a client that opened a connection and never sent
 * anything (a pool's spare socket, a port scanner) would hold a graceful shutdown for its
 * whole grace period. Tracking every socket and its requests lets shutdown close exactly the
 * ones with nothing in flight, however they got there.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionTracker {
  /** Destroys every connection with no request in progress; returns how many. */
  closeQuiet(): number;
}

export function trackConnections(server: Server): ConnectionTracker {
  const active = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    active.set(socket, 0);
    socket.once('close', () => active.delete(socket));
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (active.has(socket)) active.set(socket, Math.max(0, active.get(socket)! - 1));
    });
  });
  return {
    closeQuiet() {
      let closed = 0;
      for (const [socket, requests] of active) {
        if (requests > 0) continue;
        socket.destroy();
        active.delete(socket);
        closed += 1;
      }
      return closed;
    },
  };
}
