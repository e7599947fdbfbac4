import { createServer, type AddressInfo } from 'node:net';

/**
 * A local port nothing listens on: bound to port 0, then released. Connections to it are
 * refused (until something else happens to take it), and a server may be started on it.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
