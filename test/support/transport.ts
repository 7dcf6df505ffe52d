/**
 * Which transport the sync tests' replicas use (transport parity, issue 16): `direct` (their own
 * PostgreSQL login, the default) or `service` (the sync service started in-process for each
 * central database, the replica signed in as an administrator login). A parity test file sets it
 * before importing a suite, so the same tests run both ways; vitest isolates each file's modules.
 */
export type TestTransport = 'direct' | 'service';

let current: TestTransport = 'direct';

export function useTransport(transport: TestTransport): void {
  current = transport;
}

export const testTransport = (): TestTransport => current;
