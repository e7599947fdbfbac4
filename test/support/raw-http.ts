// HTTP written by hand over a socket, for requests fetch would refuse or normalise: odd request
// targets, control characters in headers, oversized headers.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `head` (request line and headers, CRLF-separated, no final blank line) and `body` as-is. */
export function raw(url: string, head: string, body = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, split === -1 ? text.length : split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(lines[0]?.split(' ')[1] ?? 0), headers, body: split === -1 ? '' : text.slice(split + 4) });
    });
    const length = body ? `\r\nContent-Length: ${Buffer.byteLength(body)}` : '';
    // write, not end: a half-closed client is a client that left, and its request is dropped.
    // Connection: close makes the server close the socket once it has answered.
    socket.write(`${head}${length}\r\nConnection: close\r\n\r\n${body}`);
  });
}
