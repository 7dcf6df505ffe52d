/**
 * Migration 0011 on a central database created by the previous release: it holds data, a change
 * log, field clocks, conflicts and a replica's mutation counter, and upgrades in place without
 * losing any of it. A replica of the previous release keeps working against it: its pushes use the
 * old field names, its pulls read the old names with SELECT *.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMigrationsDir } from '../../../core/database/migrations-dir';
import { loadMigrations } from '../../../core/database/migrations';
import { loadPgFunctions, migratePg } from '../../../core/sync/central/migrate-pg';
import { tempCentral } from '../../support/pg';
import { openReplica } from '../../support/sync-harness';

const MIGRATIONS = loadMigrations(findMigrationsDir('pg'));
/** The previous release: migrations up to 0009 and its function sources, as shipped. */
const PREVIOUS_MIGRATIONS = MIGRATIONS.filter((m) => m.index <= 9);
const PREVIOUS_FUNCTIONS = loadPgFunctions(path.resolve(__dirname, '../../fixtures/previous-release/pg-functions'));

const USER = '019a0000-0000-7000-8000-000000000001';
const EMPLOYEE = '019a0000-0000-7000-8000-000000000002';
const TASK = '019a0000-0000-7000-8000-000000000003';
const COMMENT = '019a0000-0000-7000-8000-000000000005';
const TALK = '019a0000-0000-7000-8000-000000000006';
const OLD_REPLICA = 'replica-of-previous-release';

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (drops.length > 0) await drops.pop()?.();
});

const seqs = new Map<string, number>();
const hlc = (ms: number, replica: string) => `${String(ms).padStart(15, '0')}:00000:${replica}`;

async function previousReleaseCentral() {
  const central = await tempCentral({ migrate: false });
  drops.push(central.drop);
  await migratePg(central.client, PREVIOUS_MIGRATIONS, PREVIOUS_FUNCTIONS);
  await central.query(`INSERT INTO users (id, username, email, full_name, role) VALUES ($1, 'maria', 'maria@example.com', 'Maria Garcia', 'coordinator')`, [USER]);
  await central.query(`INSERT INTO employees (id, user_id, name, email) VALUES ($1, $2, 'Maria Garcia', 'maria@example.com')`, [EMPLOYEE, USER]);
  await central.query(`INSERT INTO tasks (id, title, assigned_to) VALUES ($1, 'Fix invoice layout', $2)`, [TASK, EMPLOYEE]);
  await central.query(`INSERT INTO comments (id, task_id, user_id, author_name, content, comment_order) VALUES ($1, $2, $3, 'Maria Garcia', 'On it', 1)`, [COMMENT, TASK, USER]);
  await central.query(`INSERT INTO conversation_history (id, session_id, user_id, query, response, user_rating) VALUES ($1, 's1', $2, 'What is late?', 'Nothing.', 1)`, [TALK, USER]);
  // The old replica renames Maria; a second one, working from the same version, loses a conflict.
  seqs.clear();
  await push(central, OLD_REPLICA, 'users', USER, { full_name: 'María García' }, 2_000);
  await push(central, 'another-old-replica', 'users', USER, { full_name: 'M. Garcia' }, 1_000, 1);
  return central;
}

type Central = Awaited<ReturnType<typeof tempCentral>>;
async function push(central: Central, replica: string, table: string, rowId: string, fields: Record<string, unknown>, ms: number, baseVersion = 1) {
  const seq = (seqs.get(replica) ?? 0) + 1;
  seqs.set(replica, seq);
  const { rows } = await central.query<{ reply: { results: { status: string }[] } }>(`SELECT coordinator_push($1, $2::jsonb) AS reply`, [
    replica,
    JSON.stringify([{ seq, mutationId: `m${seq}`, table, rowId, op: 'update', fields, baseVersion, hlc: hlc(ms, replica) }]),
  ]);
  return rows[0]?.reply.results[0]?.status;
}

const ledger = async (central: Central) => ({
  changes: (await central.query('SELECT version, table_name, row_id::text, op FROM sync_changes ORDER BY version')).rows,
  clients: (await central.query('SELECT client_id, last_mutation_seq FROM sync_clients ORDER BY client_id')).rows,
});

describe('upgrading a central database of the previous release (migration 0011)', () => {
  it('keeps every row under the seed’s names and fills the assignee of assigned tasks', async () => {
    const central = await previousReleaseCentral();
    await migratePg(central.client);
    expect((await central.query('SELECT name FROM users')).rows).toEqual([{ name: 'María García' }]);
    expect((await central.query('SELECT author, content FROM comments')).rows).toEqual([{ author: 'Maria Garcia', content: 'On it' }]);
    expect((await central.query('SELECT user_query, ai_response, user_satisfaction FROM conversation_history')).rows).toEqual([
      { user_query: 'What is late?', ai_response: 'Nothing.', user_satisfaction: 1 },
    ]);
    expect((await central.query('SELECT assignee FROM tasks')).rows).toEqual([{ assignee: 'Maria Garcia' }]);
  });

  it('keeps the change log and every replica’s mutation counter, adding no change of its own', async () => {
    const central = await previousReleaseCentral();
    const before = await ledger(central);
    await migratePg(central.client);
    expect(await ledger(central)).toEqual(before);
  });

  it('renames field clocks and conflicts, so the next concurrent edit is still detected', async () => {
    const central = await previousReleaseCentral();
    const conflictsBefore = (await central.query('SELECT id, field, kind, losing_client_id, losing_value FROM sync_conflicts')).rows;
    expect(conflictsBefore).toMatchObject([{ field: 'full_name', losing_client_id: 'another-old-replica' }]);
    await migratePg(central.client);
    expect((await central.query('SELECT id, field, kind, losing_client_id, losing_value FROM sync_conflicts')).rows).toEqual(
      conflictsBefore.map((c) => ({ ...c, field: 'name' })),
    );
    const { rows: meta } = await central.query<{ keys: string[] }>(`SELECT array(SELECT jsonb_object_keys(field_clocks) ORDER BY 1) AS keys FROM sync_row_meta WHERE row_id = $1`, [USER]);
    expect(meta[0]?.keys).toContain('name');
    expect(meta[0]?.keys).not.toContain('full_name');
    // A third replica, working from before Maria's rename, loses to it (older clock): a conflict on `name`.
    expect(await push(central, 'new-replica', 'users', USER, { name: 'Maria' }, 500)).toBe('conflict');
    expect((await central.query(`SELECT field FROM sync_conflicts WHERE losing_client_id = 'new-replica'`)).rows).toEqual([{ field: 'name' }]);
  });

  it('applies a previous-release replica’s push under the old field names instead of dropping it', async () => {
    const central = await previousReleaseCentral();
    await migratePg(central.client);
    expect(await push(central, OLD_REPLICA, 'users', USER, { full_name: 'Maria Garcia-Lopez' }, 3_000, 99)).toBe('applied');
    expect(await push(central, OLD_REPLICA, 'comments', COMMENT, { author_name: 'Maria Garcia-Lopez', content: 'Done' }, 3_001, 99)).toBe('applied');
    expect(await push(central, OLD_REPLICA, 'conversation_history', TALK, { query: 'What is overdue?', response: 'Two tasks.', user_rating: -1 }, 3_002, 99)).toBe('applied');
    expect((await central.query('SELECT name FROM users')).rows).toEqual([{ name: 'Maria Garcia-Lopez' }]);
    expect((await central.query('SELECT author, content FROM comments')).rows).toEqual([{ author: 'Maria Garcia-Lopez', content: 'Done' }]);
    expect((await central.query('SELECT user_query, ai_response, user_satisfaction FROM conversation_history')).rows).toEqual([
      { user_query: 'What is overdue?', ai_response: 'Two tasks.', user_satisfaction: -1 },
    ]);
  });

  it('still shows a previous-release replica the old names when it reads rows with SELECT *, without clocks of their own', async () => {
    const central = await previousReleaseCentral();
    await migratePg(central.client);
    await central.query(`UPDATE users SET name = 'Maria G.'`);
    const { rows } = await central.query(`SELECT t.* FROM users t`);
    expect(rows[0]).toMatchObject({ name: 'Maria G.', full_name: 'Maria G.' });
    const { rows: talk } = await central.query(`SELECT t.* FROM conversation_history t`);
    expect(talk[0]).toMatchObject({ query: 'What is late?', response: 'Nothing.', user_rating: 1 });
    const { rows: author } = await central.query(`SELECT t.* FROM comments t`);
    expect(author[0]).toMatchObject({ author_name: 'Maria Garcia' });
    const { rows: meta } = await central.query<{ keys: string[] }>(`SELECT array(SELECT jsonb_object_keys(field_clocks)) AS keys FROM sync_row_meta WHERE row_id = $1`, [USER]);
    expect(meta[0]?.keys).not.toContain('full_name');
  });

  it('keeps tasks.assignee in step with assigned_to, whoever writes, and lets an unassigned task carry a free-text name', async () => {
    const central = await previousReleaseCentral();
    await migratePg(central.client);
    await central.query(`UPDATE employees SET name = 'María García' WHERE id = $1`, [EMPLOYEE]);
    expect((await central.query('SELECT assignee FROM tasks')).rows).toEqual([{ assignee: 'María García' }]);
    await central.query(`UPDATE tasks SET assignee = 'Someone else'`);
    expect((await central.query('SELECT assignee FROM tasks')).rows).toEqual([{ assignee: 'María García' }]);
    await central.query(`UPDATE tasks SET assigned_to = NULL`);
    expect((await central.query('SELECT assignee FROM tasks')).rows).toEqual([{ assignee: null }]);
    await central.query(`UPDATE tasks SET assignee = 'CRM staff #12'`);
    expect((await central.query('SELECT assigned_to, assignee FROM tasks')).rows).toEqual([{ assigned_to: null, assignee: 'CRM staff #12' }]);
  });

  it('a replica of this release refuses to sync with a central database not yet upgraded, and keeps its edits', async () => {
    const central = await previousReleaseCentral();
    const replica = openReplica(central, 'new-app');
    drops.push(async () => {
      await replica.dispose();
    });
    replica.core.users.create({ username: 'zed', email: 'zed@example.com', fullName: 'Zed', role: 'admin' });
    const pending = replica.core.sync.outbox.pendingCount();
    await expect(replica.sync()).rejects.toThrow(/older Coordinator schema.*coordinator migrate/);
    expect(replica.core.sync.outbox.pendingCount()).toBe(pending);
    expect(replica.engine.status()).toMatchObject({ state: 'error', lastError: expect.stringMatching(/older Coordinator schema/) });
    await migratePg(central.client);
    await replica.sync();
    expect(replica.core.sync.outbox.pendingCount()).toBe(0);
    expect((await central.query(`SELECT name FROM users WHERE username = 'zed'`)).rows).toEqual([{ name: 'Zed' }]);
  });
});
