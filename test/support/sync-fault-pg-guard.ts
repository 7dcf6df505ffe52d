import pg from 'pg';

/**
 * TEST-SIDE WORKAROUND for a core bug (see the report of test/integration/sync/network.test.ts):
 * the sync engine checks a client out of its pg.Pool without listening for the client's 'error'
 * event. pg-pool removes its own idle listener while a client is checked out, so when the
 * connection dies during a sync (network cut, server restart) the client emits 'error' with no
 * listener and Node throws "Unhandled 'error' event" — the whole process (the Electron main
 * process) crashes instead of the sync failing.
 *
 * Installing this guard gives every pg.Client a no-op 'error' listener so the rest of a test can
 * observe what the engine does after the failure (its query still rejects, status goes offline).
 * Returns a function that removes the guard. Remove this once the engine attaches a listener to
 * the clients it checks out.
 */
export function guardClientErrors(): () => void {
  type Connect = (this: pg.Client, ...args: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { connect: Connect };
  const original = proto.connect;
  const noop = () => undefined;
  proto.connect = function (this: pg.Client, ...args: unknown[]) {
    if (!this.listeners('error').includes(noop)) this.on('error', noop);
    return original.apply(this, args);
  };
  return () => {
    proto.connect = original;
  };
}
