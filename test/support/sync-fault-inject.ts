import pg from 'pg';

/**
 * Fault injection for a sync child process: wraps `pg.Client.prototype.query` (the pool's clients
 * are pg.Client instances) so the process SIGKILLs itself at an exact point of the protocol,
 * something a parent's timer can only hit by luck:
 *   - `after: 'push-reply'`     the central transaction of a push chunk has committed and its reply
 *                               has arrived, but the replica has not yet acknowledged it locally
 *                               (the "lost reply" crash);
 *   - `after: 'snapshot-page'`  a bootstrap page has been read but not applied;
 *   - `after: 'changes-read'`   a page of the change log has been read but not applied.
 * `count` is which occurrence (1-based) triggers the kill. A line `@@{"ev":"fault",...}` is
 * written to stdout just before dying so the parent knows the fault, not a bug, ended the process.
 */
export interface FaultSpec {
  after: 'push-reply' | 'snapshot-page' | 'changes-read';
  count: number;
}

const MATCHERS: Record<FaultSpec['after'], RegExp> = {
  'push-reply': /coordinator_push\(/,
  'snapshot-page': /ORDER BY t\.id\s+LIMIT/,
  'changes-read': /FROM sync_changes\s+WHERE \(xid, version\) >/,
};

type AnyQuery = (this: pg.Client, ...args: unknown[]) => unknown;

export function installFault(spec: FaultSpec, emit: (line: Record<string, unknown>) => void): void {
  const original = pg.Client.prototype.query as unknown as AnyQuery;
  const matcher = MATCHERS[spec.after];
  let seen = 0;
  const patched: AnyQuery = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null ? String((first as { text?: unknown }).text ?? '') : '';
    const result = original.apply(this, args);
    if (!matcher.test(text) || !(result instanceof Promise)) return result;
    return result.then((value: unknown) => {
      seen += 1;
      if (seen === spec.count) {
        emit({ ev: 'fault', after: spec.after, count: seen });
        process.kill(process.pid, 'SIGKILL');
        // Never resolve: the process is gone before the engine could act on the reply.
        return new Promise(() => undefined);
      }
      return value;
    });
  };
  (pg.Client.prototype as unknown as { query: AnyQuery }).query = patched;
}
