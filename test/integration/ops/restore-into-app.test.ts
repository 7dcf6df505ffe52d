import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import { backupDatabase, restoreIntoApp } from '../../../core/ops/backup';
import { REBASE_REASON_KEY } from '../../../core/sync/state';
import { tempCore } from '../../support/core';

/** The desktop's File → Restore from backup…: the core part, with the app's own database. */
describe('restoreIntoApp (issue 12 §1, desktop restore)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  const projectNames = (file: string): string[] => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT name FROM projects ORDER BY name').all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('puts the backup in place after the app closed, marks it for a new replica id, and keeps the replaced database with its unsynced changes', async () => {
    const core = tempCore();
    cleanups.push(() => core.dispose());
    const dbFile = path.join(core.dir, 'coordinator.db');
    core.projects.create({ name: 'In the backup' });
    const backupFile = path.join(core.dir, 'backup.db');
    await backupDatabase(core.db, backupFile);
    core.projects.create({ name: 'Made after the backup' });

    let closed = false;
    const result = await restoreIntoApp(backupFile, dbFile, async () => {
      core.close();
      closed = true;
    });

    expect(closed).toBe(true);
    expect(result).toMatchObject({ file: dbFile, pending: 1, replacedPending: 2 });
    expect(result.keptAt).not.toBeNull();
    // Nothing made after the backup is lost: the kept file holds it.
    expect(projectNames(result.keptAt!)).toEqual(['In the backup', 'Made after the backup']);
    const reopened = openCore({ dbFile });
    cleanups.push(() => reopened.close());
    expect(reopened.projects.list().map((p) => p.name)).toEqual(['In the backup']);
    const marker = reopened.db.prepare('SELECT value FROM local_settings WHERE key = ?').get(REBASE_REASON_KEY) as { value: string } | undefined;
    expect(marker?.value).toMatch(/restored from the backup backup\.db/);
  });

  it('an unusable backup is refused before the app is closed, and the database is unchanged', async () => {
    const core = tempCore();
    cleanups.push(() => core.dispose());
    core.projects.create({ name: 'Still here' });
    const notABackup = path.join(core.dir, 'notes.txt');
    writeFileSync(notABackup, 'this is not a database');

    let closed = false;
    await expect(
      restoreIntoApp(notABackup, path.join(core.dir, 'coordinator.db'), async () => {
        closed = true;
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/The backup is not usable/) });
    expect(closed).toBe(false);
    expect(core.projects.list().map((p) => p.name)).toEqual(['Still here']);
  });
});
