// Preloaded into Portkey's gateway (`node --import ./servers/loopback.mjs ...start-server.js`).
// Its start-server calls @hono/node-server's serve({ fetch, port }) with no hostname, which
// listens on every interface; the benchmark must stay on loopback. This binds any listen(port)
// that names no host to 127.0.0.1 instead, without touching Portkey's code.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || args[1] === undefined || typeof args[1] === 'function')) {
    if (args[1] === undefined && args.length > 1) args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
