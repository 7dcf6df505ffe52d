/**
 * The change-log and conflict pulls page through central in (xid, version) / (xid, seq) order, and
 * the replica's cursor is the last entry of a page. They select the xid as text, and a bare
 * `ORDER BY xid` over such a select list sorts that text ('100000' before '99999'): a full page
 * whose transaction ids cross a power of ten would then end past entries it left out, and the
 * cursor would skip them for ever (as `readChanges` and the conflict read did before). Paging from
 * the start must read every entry exactly once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCentralSide } from '../../../core/crm/central-side';
import { readChangePage, readChanges, readConflictPage, readHorizon } from '../../../core/sync/central/pull';
import type { Cursor } from '../../../core/sync/state';
import { tempCentral } from '../../support/pg';

type Central = Awaited<ReturnType<typeof tempCentral>>;
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (drops.length > 0) await drops.pop()?.();
});

const PAGE = 7;

/**
 * A central database, and twenty transaction ids across the largest power of ten below its
 * horizon (so the pages, which read below the real horizon, see them), newest first.
 */
async function central(): Promise<{ c: Central; xids: number[]; horizon: string }> {
  const c = await tempCentral();
  drops.push(c.drop);
  const horizon = await readHorizon(c.client);
  const power = 10 ** Math.floor(Math.log10(Number(horizon) - 11));
  return { c, xids: Array.from({ length: 20 }, (_, i) => power + 9 - i), horizon };
}

async function pageThrough<T extends { xid: string }>(read: (cursor: Cursor) => Promise<T[]>, cursorOf: (entry: T) => Cursor): Promise<string[]> {
  const seen: string[] = [];
  let cursor: Cursor = { xid: '0', version: 0 };
  for (;;) {
    const page = await read(cursor);
    seen.push(...page.map((e) => e.xid));
    if (page.length < PAGE) return seen;
    cursor = cursorOf(page[page.length - 1] as T);
  }
}

const ascending = (xids: number[]) => [...xids].sort((a, b) => a - b).map(String);

async function addChanges(c: Central, xids: number[]): Promise<void> {
  for (const xid of xids) {
    await c.query(`INSERT INTO sync_changes (xid, table_name, row_id, op, client_id) VALUES ($1::text::xid8, 'tasks', gen_random_uuid(), 'upsert', 'replica-a')`, [xid]);
  }
}

describe('paging through central across a power of ten of transaction ids', () => {
  it('reads every change exactly once, in (xid, version) order, page by page and with a separate horizon', async () => {
    const { c, xids, horizon } = await central();
    await addChanges(c, xids);
    const byPage = await pageThrough(
      async (cursor) => (await readChangePage(c.client, cursor, PAGE)).changes,
      (change) => ({ xid: change.xid, version: change.version }),
    );
    expect(byPage).toEqual(ascending(xids));
    const withHorizon = await pageThrough(
      (cursor) => readChanges(c.client, cursor, horizon, PAGE),
      (change) => ({ xid: change.xid, version: change.version }),
    );
    expect(withHorizon).toEqual(ascending(xids));
  });

  it('reads every conflict exactly once, in (xid, seq) order', async () => {
    const { c, xids } = await central();
    for (const xid of xids) {
      await c.query(
        `INSERT INTO sync_conflicts (id, xid, table_name, row_id, field, kind, losing_client_id) VALUES (gen_random_uuid(), $1::text::xid8, 'tasks', gen_random_uuid(), 'title', 'field', 'replica-a')`,
        [xid],
      );
    }
    const seen = await pageThrough(
      async (cursor) => (await readConflictPage(c.client, ['replica-a'], cursor, PAGE)).conflicts,
      (conflict) => ({ xid: conflict.xid, version: conflict.seq }),
    );
    expect(seen).toEqual(ascending(xids));
  });

  it("the CRM bridge's cursor ends at the newest change, not at the greatest text (which would read changes again)", async () => {
    const { c, xids, horizon } = await central();
    await addChanges(c, xids);
    const newestXid = String(Math.max(...xids));
    const { rows } = await c.query<{ version: string }>(`SELECT version::text FROM sync_changes WHERE xid = $1::text::xid8`, [newestXid]);
    const newest = { xid: newestXid, version: Number(rows[0]?.version) };
    const side = await openCentralSide(c.client, Date.now, (write) => write());
    const read = await side.changesSince({ xid: '0', version: 0 }, horizon, ['tasks']);
    expect(read.cursor).toEqual(newest);
    expect([...(read.ids.get('tasks') ?? [])]).toHaveLength(xids.length);
    expect(await side.cursorAt(horizon)).toEqual(newest);
  });
});
