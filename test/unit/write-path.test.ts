import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditHook } from '../../core/audit/audit';
import { AppError } from '../../core/common/errors';
import { newId } from '../../core/common/ids';
import { configureLogger } from '../../core/common/logger';
import { openDatabase, type SqliteDb } from '../../core/database/open';
import type { Change, Row, WriteApi } from '../../core/mutations/types';
import { Writer } from '../../core/mutations/writer';
import { manualClock } from '../support/core';

/**
 * The single write path: every entity change goes through the Writer, inside a transaction that
 * its hooks share; commit listeners hear about a whole transaction once it is durable.
 */

let dir: string;
let db: SqliteDb;
let clock: ReturnType<typeof manualClock>;
let actor: string | null;
let writer: Writer;
let hookCalls: { change: Change; inTransaction: boolean; visible: boolean }[];
let committed: (readonly Change[])[];

const T0 = '2026-03-02T09:00:00.000Z';

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-writer-'));
  db = openDatabase({ file: path.join(dir, 'w.db') });
  clock = manualClock(T0);
  actor = 'actor-1';
  writer = new Writer(db, { clock, actor: () => actor });
  writer.addHook(createAuditHook(db));
  hookCalls = [];
  writer.addHook((change) => {
    const visible = db.prepare(`SELECT 1 FROM "${change.table}" WHERE id = ?`).get(change.id) !== undefined;
    hookCalls.push({ change, inTransaction: db.inTransaction, visible });
  });
  committed = [];
  writer.onCommit((changes) => committed.push(changes));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function projectRow(overrides: Row = {}): Row {
  return {
    id: newId(),
    crm_project_id: null,
    name: 'Apollo',
    description: null,
    status: 'todo',
    start_date: null,
    end_date: null,
    deadline: null,
    created_by: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
const auditRows = () =>
  db.prepare('SELECT entity_table, entity_id, action, changes, actor_id, created_at FROM audit_log ORDER BY created_at, id').all() as {
    entity_table: string;
    entity_id: string;
    action: string;
    changes: string;
    actor_id: string | null;
    created_at: string;
  }[];

describe('Writer.insert', () => {
  it('writes the row and returns it', () => {
    const row = projectRow();
    expect(writer.insert('projects', row)).toEqual(row);
    expect(db.prepare('SELECT * FROM projects WHERE id = ?').get(row.id)).toEqual(row);
  });

  it('calls every hook once, inside the transaction, after the row is written', () => {
    const row = projectRow();
    writer.insert('projects', row);
    expect(hookCalls).toHaveLength(1);
    const [call] = hookCalls;
    expect(call?.inTransaction).toBe(true);
    expect(call?.visible).toBe(true);
    expect(call?.change).toEqual({
      table: 'projects',
      txId: expect.any(String),
      id: row.id,
      op: 'insert',
      before: null,
      after: row,
      changed: Object.keys(row),
      actorId: 'actor-1',
      at: T0,
    });
  });

  it('rolls the row back when a hook throws, and tells no listener', () => {
    writer.addHook((change) => {
      if (change.table === 'projects') throw new Error('hook refused');
    });
    expect(() => writer.insert('projects', projectRow())).toThrow('hook refused');
    expect(count('projects')).toBe(0);
    expect(count('audit_log')).toBe(0);
    expect(committed).toEqual([]);
  });

  it('surfaces a constraint violation and leaves nothing behind', () => {
    expect(() => writer.insert('projects', projectRow({ status: 'nope' }))).toThrow(/CHECK constraint failed/);
    expect(count('projects')).toBe(0);
    expect(hookCalls).toEqual([]);
    expect(committed).toEqual([]);
  });
});

describe('Writer.update', () => {
  let id: string;
  beforeEach(() => {
    id = String(writer.insert('projects', projectRow()).id);
    hookCalls = [];
    committed = [];
  });

  it('changes only the given columns and reports which ones differ, with before and after', () => {
    clock.advance(60_000);
    const change = writer.update('projects', id, { name: 'Apollo 2', status: 'todo', description: 'new' });
    expect(change?.op).toBe('update');
    expect(change?.changed).toEqual(['name', 'description']);
    expect(change?.before?.name).toBe('Apollo');
    expect(change?.after?.name).toBe('Apollo 2');
    expect(change?.after?.description).toBe('new');
    expect(db.prepare('SELECT name, description, status FROM projects WHERE id = ?').get(id)).toEqual({
      name: 'Apollo 2',
      description: 'new',
      status: 'todo',
    });
  });

  it('bumps updated_at to the clock’s time and keeps created_at', () => {
    clock.set('2026-03-02T10:30:00.000Z');
    const change = writer.update('projects', id, { name: 'Later' });
    expect(change?.after?.updated_at).toBe('2026-03-02T10:30:00.000Z');
    expect(db.prepare('SELECT created_at, updated_at FROM projects WHERE id = ?').get(id)).toEqual({
      created_at: T0,
      updated_at: '2026-03-02T10:30:00.000Z',
    });
  });

  it('uses an explicit updated_at when the patch carries one', () => {
    writer.update('projects', id, { name: 'Pulled', updated_at: '2025-01-01T00:00:00.000Z' });
    expect(db.prepare('SELECT updated_at FROM projects WHERE id = ?').get(id)).toEqual({ updated_at: '2025-01-01T00:00:00.000Z' });
  });

  it('returns null, writes nothing and audits nothing when no value really changes', () => {
    clock.advance(60_000);
    const auditBefore = count('audit_log');
    expect(writer.update('projects', id, { name: 'Apollo', description: null, status: 'todo' })).toBeNull();
    expect(db.prepare('SELECT updated_at FROM projects WHERE id = ?').get(id)).toEqual({ updated_at: T0 });
    expect(count('audit_log')).toBe(auditBefore);
    expect(hookCalls).toEqual([]);
    expect(committed).toEqual([]);
  });

  it('treats a patch of only updated_at as no change', () => {
    expect(writer.update('projects', id, { updated_at: '2030-01-01T00:00:00.000Z' })).toBeNull();
    expect(db.prepare('SELECT updated_at FROM projects WHERE id = ?').get(id)).toEqual({ updated_at: T0 });
  });

  it('calls hooks inside the transaction with the new values visible', () => {
    writer.update('projects', id, { status: 'in_progress' });
    expect(hookCalls).toHaveLength(1);
    expect(hookCalls[0]?.inTransaction).toBe(true);
    expect(hookCalls[0]?.change.changed).toEqual(['status']);
  });

  it('rolls the update back when a hook throws', () => {
    writer.addHook((change) => {
      if (change.op === 'update') throw new AppError('FORBIDDEN', 'no');
    });
    expect(() => writer.update('projects', id, { name: 'Never' })).toThrow('no');
    expect(db.prepare('SELECT name, updated_at FROM projects WHERE id = ?').get(id)).toEqual({ name: 'Apollo', updated_at: T0 });
    expect(auditRows().map((r) => r.action)).toEqual(['create']);
    expect(committed).toEqual([]);
  });

  it('refuses an unknown row with NOT_FOUND', () => {
    const missing = newId();
    expect(() => writer.update('projects', missing, { name: 'x' })).toThrow(AppError);
    try {
      writer.update('projects', missing, { name: 'x' });
    } catch (error) {
      expect((error as AppError).code).toBe('NOT_FOUND');
      expect((error as AppError).message).toContain(missing);
    }
  });

  it('records old → new values in the audit trail with the actor', () => {
    clock.advance(1000);
    writer.update('projects', id, { status: 'in_progress', name: 'Apollo X' });
    const last = auditRows().at(-1);
    expect(last).toMatchObject({ entity_table: 'projects', entity_id: id, action: 'update', actor_id: 'actor-1', created_at: '2026-03-02T09:00:01.000Z' });
    expect(JSON.parse(last?.changes ?? '{}')).toEqual({
      name: { old: 'Apollo', new: 'Apollo X' },
      status: { old: 'todo', new: 'in_progress' },
    });
  });
});

describe('Writer.delete', () => {
  it('removes the row, returns what it was, and shows hooks the before image', () => {
    const row = projectRow();
    writer.insert('projects', row);
    hookCalls = [];
    expect(writer.delete('projects', String(row.id))).toEqual(row);
    expect(count('projects')).toBe(0);
    expect(hookCalls).toHaveLength(1);
    expect(hookCalls[0]?.visible).toBe(false);
    expect(hookCalls[0]?.inTransaction).toBe(true);
    expect(hookCalls[0]?.change).toMatchObject({ op: 'delete', before: row, after: null });
    expect(auditRows().map((r) => r.action)).toEqual(['create', 'delete']);
  });

  it('keeps the row when a hook throws', () => {
    const row = projectRow();
    writer.insert('projects', row);
    writer.addHook((change) => {
      if (change.op === 'delete') throw new Error('keep it');
    });
    expect(() => writer.delete('projects', String(row.id))).toThrow('keep it');
    expect(count('projects')).toBe(1);
  });

  it('refuses an unknown row with NOT_FOUND', () => {
    expect(() => writer.delete('projects', newId())).toThrow(/does not exist/);
  });
});

describe('hooks writing through the writer', () => {
  it('commit their own writes together with the change that caused them', () => {
    writer.addHook((change, api: WriteApi) => {
      if (change.table === 'projects' && change.op === 'insert') {
        api.insert('prompt_templates', {
          id: newId(),
          name: `for ${String(change.after?.name)}`,
          template: 't',
          created_at: api.now,
          updated_at: api.now,
        });
      }
    });
    writer.insert('projects', projectRow());
    expect(db.prepare('SELECT name FROM prompt_templates').all()).toEqual([{ name: 'for Apollo' }]);
    expect(committed).toHaveLength(1);
    expect(committed[0]?.map((c) => `${c.table}:${c.op}`)).toEqual(['projects:insert', 'prompt_templates:insert']);
  });

  it('lose their own writes too when a later hook fails', () => {
    writer.addHook((change, api) => {
      if (change.table === 'projects') api.insert('prompt_templates', { id: newId(), name: 'side effect', template: 't', created_at: T0, updated_at: T0 });
    });
    writer.addHook((change) => {
      if (change.table === 'projects') throw new Error('late failure');
    });
    expect(() => writer.insert('projects', projectRow())).toThrow('late failure');
    expect(count('prompt_templates')).toBe(0);
    expect(count('projects')).toBe(0);
  });
});

describe('Writer.transaction', () => {
  it('tells commit listeners once, after commit, with every change in order', () => {
    const seen: { inTransaction: boolean; rows: number; changes: string[] }[] = [];
    writer.onCommit((changes) => seen.push({ inTransaction: db.inTransaction, rows: count('projects'), changes: changes.map((c) => `${c.op}:${String((c.after ?? c.before)?.name)}`) }));
    const a = projectRow({ name: 'A' });
    writer.transaction(() => {
      writer.insert('projects', a);
      writer.insert('projects', projectRow({ name: 'B' }));
      writer.update('projects', String(a.id), { name: 'A2' });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([{ inTransaction: false, rows: 2, changes: ['insert:A', 'insert:B', 'update:A2'] }]);
    expect(committed).toHaveLength(1);
  });

  it('tells no listener when the transaction rolls back, and undoes every change in it', () => {
    expect(() =>
      writer.transaction(() => {
        writer.insert('projects', projectRow({ name: 'A' }));
        writer.insert('projects', projectRow({ name: 'B' }));
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(count('projects')).toBe(0);
    expect(count('audit_log')).toBe(0);
    expect(committed).toEqual([]);
  });

  it('rolls back earlier changes when a hook fails on a later one', () => {
    writer.addHook((change) => {
      if (change.after?.name === 'poison') throw new Error('poisoned');
    });
    expect(() =>
      writer.transaction(() => {
        writer.insert('projects', projectRow({ name: 'fine' }));
        writer.insert('projects', projectRow({ name: 'poison' }));
      }),
    ).toThrow('poisoned');
    expect(count('projects')).toBe(0);
    expect(committed).toEqual([]);
  });

  it('joins nested transactions to the outer one: one commit, one notification', () => {
    writer.transaction(() => {
      writer.insert('projects', projectRow({ name: 'outer' }));
      writer.transaction(() => {
        writer.insert('projects', projectRow({ name: 'inner' }));
        expect(committed).toEqual([]);
      });
      expect(committed).toEqual([]);
    });
    expect(committed).toHaveLength(1);
    expect(committed[0]?.map((c) => c.after?.name)).toEqual(['outer', 'inner']);
  });

  it('rolls back a completed nested transaction when the outer one fails', () => {
    expect(() =>
      writer.transaction(() => {
        writer.transaction(() => writer.insert('projects', projectRow({ name: 'inner' })));
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(count('projects')).toBe(0);
    expect(committed).toEqual([]);
  });

  it('returns the function’s value', () => {
    expect(writer.transaction(() => 42)).toBe(42);
    expect(committed).toEqual([]);
  });

  it('stamps every change of a transaction with the actor and time at its start', () => {
    writer.transaction(() => {
      writer.insert('projects', projectRow({ name: 'A' }));
      actor = 'someone-else';
      clock.advance(5_000);
      writer.insert('projects', projectRow({ name: 'B' }));
      expect(writer.actorId).toBe('actor-1');
      expect(writer.now).toBe(T0);
    });
    expect(committed[0]?.map((c) => [c.actorId, c.at])).toEqual([
      ['actor-1', T0],
      ['actor-1', T0],
    ]);
    expect(new Set(auditRows().map((r) => `${r.actor_id}@${r.created_at}`))).toEqual(new Set([`actor-1@${T0}`]));
    // Outside a transaction the writer reports the live actor and clock.
    expect(writer.actorId).toBe('someone-else');
    expect(writer.now).toBe('2026-03-02T09:00:05.000Z');
  });

  it('keeps a committed write committed when a listener throws, and still tells the other listeners', () => {
    const logged: string[] = [];
    configureLogger({ sink: (line) => logged.push(line) });
    try {
      const heard: number[] = [];
      writer.onCommit(() => {
        throw new Error('listener bug');
      });
      writer.onCommit((changes) => heard.push(changes.length));
      const row = projectRow();
      expect(writer.insert('projects', row)).toEqual(row);
      expect(count('projects')).toBe(1);
      expect(heard).toEqual([1]);
      expect(committed).toHaveLength(1);
      expect(logged.some((line) => line.includes('commit listener failed') && line.includes('listener bug'))).toBe(true);
    } finally {
      configureLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
    }
  });

  it('stops telling a listener that unsubscribed', () => {
    const heard: number[] = [];
    const off = writer.onCommit((changes) => heard.push(changes.length));
    writer.insert('projects', projectRow());
    off();
    writer.insert('projects', projectRow());
    expect(heard).toEqual([1]);
    expect(committed).toHaveLength(2);
  });

  it('reads rows back with get, and undefined for unknown ids', () => {
    const row = projectRow();
    writer.insert('projects', row);
    expect(writer.get('projects', String(row.id))).toEqual(row);
    expect(writer.get('projects', newId())).toBeUndefined();
  });
});
