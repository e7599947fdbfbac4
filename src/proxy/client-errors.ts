/**
 * Requests Node's HTTP parser refuses before Fastify sees them: a header with a control
 * character, headers over the size limit, a malformed request line, a client too slow to send
 * its headers. Fastify would answer those in its own JSON shape; an SDK reads errors only in
 * its provider's shape, so the answer is written here in the shape of the provider whose route
 * the request line names (read from the bytes received; nothing of them is logged, since they
 * may hold a key).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import type { GatewayError, ProviderAdapter } from '../providers/types.js';

const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/\d/;

/** The path of the request line in the bytes received, if they got that far. */
export function requestLinePath(raw: unknown): string | undefined {
  // Node hands over the bytes as a Buffer (Fastify's type describes its JSON form).
  if (!Buffer.isBuffer(raw)) return undefined;
  const head = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1');
  const target = REQUEST_LINE.exec(head)?.[1];
  return target?.split('?')[0];
}

function errorFor(code: string | undefined): GatewayError {
  if (code === 'HPE_HEADER_OVERFLOW') return { kind: 'invalid_request', status: 431, message: 'The request headers are larger than this gateway accepts.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { kind: 'invalid_request', status: 408, message: 'The request was not received in time.' };
  return { kind: 'invalid_request', status: 400, message: 'The request is not valid HTTP (e.g. a header with a control character).' };
}

export function clientErrorHandler(adapterFor: (path: string) => ProviderAdapter | undefined) {
  return (err: ConnectionError, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error = errorFor(err.code);
    const path = requestLinePath(err.rawPacket);
    const adapter = path === undefined ? undefined : adapterFor(path);
    const body = JSON.stringify(adapter ? adapter.errorBody(error) : { error: { message: error.message, type: 'invalid_request_error' } });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
