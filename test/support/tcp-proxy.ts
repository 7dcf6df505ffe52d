import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL in the sync tests) that can
 * simulate network faults:
 *  - `cutAll()`            drop every live connection at once (FIN, or RST with `{ reset: true }`);
 *  - `cutAfterBytes(n)`    let exactly n more bytes through (in one direction, or either), then cut
 *                          mid-stream — the protocol message in flight is truncated;
 *  - `refuse()`/`accept()` stop listening (new connections get ECONNREFUSED, like a machine that is
 *                          offline) and listen again on the same port;
 *  - `blackhole(true)`     keep connections open but silently stop forwarding (a half-open link:
 *                          no RST, no FIN, nothing arrives).
 * Only loopback addresses are used.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  cutAll(options?: { reset?: boolean }): number;
  cutAfterBytes(bytes: number, direction?: 'up' | 'down' | 'any', options?: { reset?: boolean }): void;
  refuse(): Promise<void>;
  accept(): Promise<void>;
  blackhole(on: boolean): void;
  readonly stats: { connections: number; live: number; bytesUp: number; bytesDown: number; cuts: number; refused: boolean };
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

/**
 * `alternates`: more servers behind the proxy; each new connection goes to the next one in turn,
 * as a load balancer without sticky sessions would send it.
 */
export async function startTcpProxy(target: { host?: string; port: number; alternates?: number[] }): Promise<TcpProxy> {
  const targetHost = target.host ?? '127.0.0.1';
  const targetPorts = [target.port, ...(target.alternates ?? [])];
  let turn = 0;
  const pairs = new Set<Pair>();
  const stats = { connections: 0, live: 0, bytesUp: 0, bytesDown: 0, cuts: 0, refused: false };
  let armed: { remaining: number; direction: 'up' | 'down' | 'any'; reset: boolean } | null = null;
  let holes = false;
  let listener: net.Server | null = null;
  let port = 0;

  const destroyPair = (pair: Pair, reset: boolean) => {
    pairs.delete(pair);
    for (const socket of [pair.client, pair.server]) {
      if (reset && typeof socket.resetAndDestroy === 'function' && !socket.destroyed && socket.readyState !== 'opening') socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  const cutAll = (options: { reset?: boolean } = {}): number => {
    const n = pairs.size;
    for (const pair of [...pairs]) destroyPair(pair, options.reset ?? false);
    stats.cuts += 1;
    stats.live = 0;
    return n;
  };

  /** Forwards `chunk` from `from` to `to`, honouring the blackhole and the armed byte budget. */
  const forward = (pair: Pair, chunk: Buffer, direction: 'up' | 'down') => {
    if (holes) return;
    const to = direction === 'up' ? pair.server : pair.client;
    if (armed && (armed.direction === 'any' || armed.direction === direction)) {
      if (chunk.length >= armed.remaining) {
        const part = chunk.subarray(0, armed.remaining);
        const reset = armed.reset;
        armed = null;
        if (part.length > 0) {
          if (direction === 'up') stats.bytesUp += part.length;
          else stats.bytesDown += part.length;
          // Write the last allowed bytes, then cut everything once they are flushed.
          to.write(part, () => cutAll({ reset }));
          return;
        }
        cutAll({ reset });
        return;
      }
      armed.remaining -= chunk.length;
    }
    if (direction === 'up') stats.bytesUp += chunk.length;
    else stats.bytesDown += chunk.length;
    to.write(chunk);
  };

  const onConnection = (client: net.Socket) => {
    stats.connections += 1;
    const server = net.connect({ host: targetHost, port: targetPorts[turn++ % targetPorts.length] ?? target.port });
    const pair: Pair = { client, server };
    pairs.add(pair);
    stats.live = pairs.size;
    client.setNoDelay(true);
    server.setNoDelay(true);
    client.on('data', (chunk: Buffer) => forward(pair, chunk, 'up'));
    server.on('data', (chunk: Buffer) => forward(pair, chunk, 'down'));
    const end = () => {
      if (pairs.has(pair)) {
        pairs.delete(pair);
        stats.live = pairs.size;
      }
      client.destroy();
      server.destroy();
    };
    client.on('error', end);
    server.on('error', end);
    client.on('close', end);
    server.on('close', end);
  };

  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(onConnection);
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port: wanted, exclusive: true }, () => {
        s.off('error', reject);
        listener = s;
        port = (s.address() as net.AddressInfo).port;
        resolve();
      });
    });

  await listen(0);

  return {
    get port() {
      return port;
    },
    rewrite(url: string): string {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cutAll,
    cutAfterBytes(bytes, direction = 'any', options = {}) {
      armed = { remaining: bytes, direction, reset: options.reset ?? false };
    },
    async refuse() {
      stats.refused = true;
      const s = listener;
      listener = null;
      cutAll();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async accept() {
      if (listener) return;
      // The same port again, so clients configured with it reconnect (retry briefly if the
      // kernel has not released it yet).
      for (let attempt = 0; ; attempt += 1) {
        try {
          await listen(port);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      stats.refused = false;
    },
    blackhole(on: boolean) {
      holes = on;
    },
    get stats() {
      return { ...stats, live: pairs.size };
    },
    async close() {
      const s = listener;
      listener = null;
      cutAll();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
