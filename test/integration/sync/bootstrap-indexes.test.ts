import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCentral } from '../../support/pg';
import { localSnapshot, centralSnapshot, openReplica, seedOrganisation, type Replica } from '../../support/sync-harness';

/**
 * The bootstrap of an empty replica loads without the synced tables' secondary indexes and
 * rebuilds them when it completes; an interrupted bootstrap resumes without them and still
 * rebuilds every one. A replica that already holds rows keeps its indexes throughout.
 */

type Central = Awaited<ReturnType<typeof tempCentral>>;
let central: Central;
const replicas: Replica[] = [];
beforeEach(async () => {
  central = await tempCentral();
});
afterEach(async () => {
  while (replicas.length > 0) await replicas.pop()?.dispose().catch(() => undefined);
  await central.drop();
});

const indexesOf = (r: Replica) =>
  (r.core.db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as { name: string; sql: string }[]);

async function organisationCentrally(): Promise<void> {
  const A = openReplica(central, 'A');
  replicas.push(A);
  const org = seedOrganisation(A.core, { tasks: 12 });
  for (const t of org.tasks) A.core.comments.add({ taskId: t.id, content: `Comment on ${t.title}` });
  await A.sync();
}

describe('bootstrap of an empty replica', () => {
  it('ends with exactly the indexes a migrated replica has, and the central data', async () => {
    await organisationCentrally();
    const B = openReplica(central, 'B', { engine: { bootstrapPageSize: 5 } });
    replicas.push(B);
    const before = indexesOf(B);
    const r = await B.sync();
    expect(r.bootstrapped).toBe(true);
    expect(indexesOf(B)).toEqual(before);
    expect(B.core.sync.state.deferredIndexes()).toEqual([]);
    expect(localSnapshot(B.core)).toEqual(await centralSnapshot(central.url));
  });

  it('interrupted after a page, resumes without the indexes and rebuilds every one at the end', async () => {
    await organisationCentrally();
    let pages = 0;
    const crashing = openReplica(central, 'B', {
      engine: {
        bootstrapPageSize: 5,
        yieldBetweenPages: async () => {
          pages += 1;
          if (pages === 2) throw new Error('the laptop lost power');
        },
      },
    });
    replicas.push(crashing);
    const before = indexesOf(crashing);
    await expect(crashing.sync()).rejects.toThrow(/lost power/);
    // Mid-bootstrap: the secondary indexes are gone and recorded, the unique ones stayed.
    const recorded = crashing.core.sync.state.deferredIndexes();
    expect(recorded.length).toBeGreaterThan(5);
    expect(recorded.every((i) => i.sql.startsWith('CREATE INDEX '))).toBe(true);
    expect(indexesOf(crashing).map((i) => i.name)).toEqual(before.filter((i) => !recorded.some((d) => d.name === i.name)).map((i) => i.name));
    expect(indexesOf(crashing).some((i) => i.sql.startsWith('CREATE UNIQUE INDEX'))).toBe(true);

    // The next run (same replica file, a healthy engine) resumes and rebuilds them.
    const engine = crashing.core.sync.connect({ central: { url: central.url }, firstConnect: 'upload', bootstrapPageSize: 5 });
    try {
      const r = await engine.syncOnce();
      expect(r.bootstrapped).toBe(true);
    } finally {
      await engine.close();
    }
    expect(indexesOf(crashing)).toEqual(before);
    expect(crashing.core.sync.state.deferredIndexes()).toEqual([]);
    expect(localSnapshot(crashing.core)).toEqual(await centralSnapshot(central.url));
  });

  it('a replica that holds rows (local work before the first sync) keeps its indexes', async () => {
    await organisationCentrally();
    const B = openReplica(central, 'B', { engine: { bootstrapPageSize: 5 } });
    replicas.push(B);
    B.core.users.create({ username: 'zed', email: 'zed@example.com', fullName: 'Zed', role: 'admin' });
    const before = indexesOf(B);
    let during: number | null = null;
    const engine = B.core.sync.connect({
      central: { url: central.url },
      firstConnect: 'upload',
      bootstrapPageSize: 5,
      yieldBetweenPages: async () => {
        during ??= indexesOf(B).length;
      },
    });
    try {
      await engine.syncOnce();
    } finally {
      await engine.close();
    }
    expect(during).toBe(before.length);
    expect(indexesOf(B)).toEqual(before);
  });
});
