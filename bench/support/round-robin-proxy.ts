/**
 * A round-robin balancer for the fleet benchmark, run as a process of its own so that its CPU can
 * be read from /proc apart from the laptops' and the service instances':
 *
 *   node --import tsx bench/support/round-robin-proxy.ts tcp|http PORT CONTROL_PORT BACKEND_PORT…
 *
 * `tcp` hands each new connection to the next backend and then only copies bytes (as HAProxy in
 * TCP mode would): the laptops' HTTP client keeps a few connections alive and sends each request
 * on whichever is free, so one sync's requests reach both instances, but not in strict turn.
 * `http` reads each request and sends it to the next backend in turn (strict alternation, so one
 * sync's consecutive requests land on different instances), at the cost of a Node.js HTTP proxy
 * in the path, which under load adds a latency tail of its own.
 *
 * `GET http://127.0.0.1:CONTROL_PORT/` answers what each backend was handed so far (connections
 * for tcp, requests for http). Prints `listening` once both ports accept connections.
 */
import http from 'node:http';
import net from 'node:net';

const [mode, ...numbers] = process.argv.slice(2);
const [port, controlPort, ...backends] = numbers.map(Number);
if ((mode !== 'tcp' && mode !== 'http') || !port || !controlPort || backends.length === 0 || backends.some((b) => !Number.isInteger(b))) {
  process.stderr.write('usage: round-robin-proxy.ts tcp|http PORT CONTROL_PORT BACKEND_PORT…\n');
  process.exit(2);
}

const counts = backends.map(() => 0);
let next = 0;
/** The next backend in turn, counted. */
function pick(): number {
  const index = next;
  next = (next + 1) % backends.length;
  counts[index] = (counts[index] ?? 0) + 1;
  return backends[index] as number;
}

function tcpBalancer(): net.Server {
  return net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: pick(), noDelay: true });
    client.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
}

const UNREACHABLE = JSON.stringify({ ok: false, error: { code: 'UNAVAILABLE', message: 'The balancer could not reach a sync-service instance' } });

function httpBalancer(): http.Server {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const upstream = http.request({ host: '127.0.0.1', port: pick(), method: request.method, path: request.url, headers: request.headers, agent }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    // Without it a request's body waits for the acknowledgement of its headers (Nagle).
    upstream.on('socket', (socket) => socket.setNoDelay(true));
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(503, { 'content-type': 'application/json' });
      response.end(UNREACHABLE);
    });
    request.pipe(upstream);
  });
  server.keepAliveTimeout = 10_000;
  return server;
}

const balancer = mode === 'tcp' ? tcpBalancer() : httpBalancer();
const control = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
});
let listening = 0;
const ready = () => {
  listening += 1;
  if (listening === 2) process.stdout.write('listening\n');
};
balancer.listen(port, '127.0.0.1', ready);
control.listen(controlPort, '127.0.0.1', ready);
process.once('SIGTERM', () => process.exit(0));
