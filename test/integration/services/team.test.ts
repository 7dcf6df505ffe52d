/**
 * Issue 14 §6–7, desktop side without a window: testing a login (`previewTeam`), joining a team
 * with the first-connect choice (`team.connect`), and signing out (`team.signOut`) — a real core,
 * a real private PostgreSQL server that checks passwords, logins made with core/admin.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDesktop, type Desktop } from '../../../core/desktop/desktop';
import { dispatch } from '../../../core/ipc/dispatch';
import { createHandlers } from '../../../core/ipc/handlers';
import { createEphemeralSecretStore } from '../../../core/settings/secrets';
import { previewTeam } from '../../../core/team/preview';
import { tempCore } from '../../support/core';
import { startPrivateCluster, type PrivateCluster } from '../../support/sync-fault-pgcluster';
import { seedTeam, TEAM_PASSWORD as PASSWORD } from '../../support/team';

let cluster: PrivateCluster;
let centralUrl: string;
let admin: pg.Client;

/** The server address as the person types it, with their login (no password: it goes in its own field). */
const asLogin = (login: string) => {
  const u = new URL(centralUrl);
  u.username = login;
  return u.toString();
};

beforeAll(async () => {
  cluster = await startPrivateCluster({ passwords: true });
  centralUrl = await cluster.createCentral();
  admin = new pg.Client({ connectionString: centralUrl });
  await admin.connect();
  await seedTeam(admin);
}, 120_000);

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  cluster?.destroy();
});

describe('joining a team from the desktop', () => {
  let core: ReturnType<typeof tempCore>;
  let desktop: Desktop;

  beforeEach(async () => {
    core = tempCore();
    desktop = openDesktop(core, { settingsFile: path.join(core.dir, 'settings.json'), secrets: createEphemeralSecretStore(), autoStartSync: false });
    await desktop.start();
  });
  afterEach(async () => {
    await desktop.close();
    core.dispose();
  });

  it('previewTeam says who the login is and what is local, and changes nothing', { timeout: 60_000 }, async () => {
    core.projects.create({ name: 'Made before joining' });
    const pendingBefore = core.sync.outbox.pendingCount();
    const preview = await previewTeam(core, { url: asLogin('mia').replace('mia@', `mia:${PASSWORD}@`) });
    expect(preview.user).toMatchObject({ username: 'mia', fullName: 'Mia Team', login: 'mia', role: 'member' });
    expect(preview.local).toMatchObject({ projects: 1, tasks: 0, demo: false });
    expect(preview.local.pendingChanges).toBeGreaterThan(0);
    expect(preview.choiceNeeded).toBe(true);
    expect(preview.boundToOther).toBeNull();
    expect(preview.target).toContain(`127.0.0.1:${cluster.port}`);
    // Nothing here changed: not bound, never synced, nothing sent, nothing saved.
    expect(core.sync.state.central()).toBeNull();
    expect(core.sync.binding.bound()).toBeNull();
    expect(core.sync.outbox.pendingCount()).toBe(pendingBefore);
    expect(desktop.settings.get().central).toBeNull();
  });

  it.each([
    ['a wrong password', () => ({ url: asLogin('mia'), password: 'not-the-password' }), /refused the password for the login "mia"/],
    ['an unknown login', () => ({ url: asLogin('nobody'), password: PASSWORD }), /refused the password for the login "nobody"/],
    ['a revoked login', () => ({ url: asLogin('rex'), password: PASSWORD }), /refused the password|may no longer log in/],
    ['a login with no Coordinator user', () => ({ url: asLogin('stray'), password: PASSWORD }), /login stray has no access to Coordinator on this server/],
    ['an unreachable server', () => ({ url: 'postgres://mia@127.0.0.1:1/coordinator', password: PASSWORD }), /Could not reach the server at 127\.0\.0\.1:1/],
  ])('%s: refused in words; nothing saved, nothing changed', { timeout: 60_000 }, async (_what, input, message) => {
    core.projects.create({ name: 'Local work' });
    const handlers = createHandlers(core, { desktop });
    const preview = await dispatch(handlers, 'team.preview', input());
    expect(preview).toMatchObject({ ok: false, error: { message: expect.stringMatching(message) } });
    const connect = await dispatch(handlers, 'team.connect', { ...input(), choice: 'upload' });
    expect(connect).toMatchObject({ ok: false, error: { message: expect.stringMatching(message) } });
    expect(desktop.settings.get().central).toBeNull();
    expect(core.sync.state.central()).toBeNull();
    expect(core.projects.list().map((p) => p.name)).toEqual(['Local work']);
  });

  it('connect without local work: signs in, downloads the team data, says who you are', { timeout: 60_000 }, async () => {
    const result = await desktop.team.connect({ url: asLogin('mia'), password: PASSWORD });
    expect(result.user).toMatchObject({ username: 'mia', login: 'mia' });
    expect(result.message).toMatch(/^Signed in as Mia Team \(login mia\) on 127\.0\.0\.1:\d+\/coord_private_\d+\. Downloaded the team's data/);
    expect(result.setAside).toBeNull();
    expect(core.projects.list().map((p) => p.name)).toEqual(['Team launch']);
    expect(core.session.currentUserId).toBe(result.user.userId);
    expect(desktop.sync.status()).toMatchObject({ configured: true, needsChoice: false, signedIn: { login: 'mia', fullName: 'Mia Team' } });
    expect(desktop.settings.get().central).toMatchObject({ hasPassword: true });
  });

  it('connect with local work asks for the choice first; upload sends it in the signed-in person\'s name', { timeout: 60_000 }, async () => {
    const project = core.projects.create({ name: `Mine ${Date.now()}` });
    await expect(desktop.team.connect({ url: asLogin('ben'), password: PASSWORD })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/holds 1 project that no team has seen yet: choose/) });
    expect(desktop.settings.get().central).toBeNull();

    const result = await desktop.team.connect({ url: asLogin('ben'), password: PASSWORD, choice: 'upload' });
    expect(result.message).toMatch(/Uploaded 1 project to the team/);
    const { rows } = await admin.query<{ created_by: string; username: string }>('SELECT p.created_by::text, u.username FROM projects p JOIN users u ON u.id = p.created_by WHERE p.id = $1', [project.id]);
    expect(rows).toEqual([{ created_by: result.user.userId, username: 'ben' }]);
    expect(core.sync.outbox.pendingCount()).toBe(0);
  });

  it('start fresh keeps the local work in a file beside the database and shows the team data', { timeout: 60_000 }, async () => {
    core.demo.seed();
    const localTasks = core.tasks.count();
    const handlers = createHandlers(core, { desktop });
    const preview = await dispatch(handlers, 'team.preview', { url: asLogin('mia'), password: PASSWORD });
    expect(preview).toMatchObject({ ok: true, value: { choiceNeeded: true, local: { demo: true, tasks: localTasks } } });

    const result = await desktop.team.connect({ url: asLogin('mia'), password: PASSWORD, choice: 'start-fresh' });
    expect(result.setAside).toMatch(/coordinator\.before-joining-.*\.db$/);
    expect(path.dirname(result.setAside!)).toBe(core.dir);
    expect(result.message).toMatch(/Your earlier work on this laptop \(the demo organisation \(.*\)\) is kept in /);
    const aside = new Database(result.setAside!, { readonly: true });
    let keptIds: string[];
    try {
      keptIds = (aside.prepare('SELECT id FROM tasks').all() as { id: string }[]).map((r) => r.id);
    } finally {
      aside.close();
    }
    expect(keptIds).toHaveLength(localTasks);
    expect(core.projects.list().map((p) => p.name)).toEqual(['Team launch']);
    // Nothing of the demo reached the team.
    const { rows } = await admin.query('SELECT id FROM tasks WHERE id = ANY($1::uuid[])', [keptIds]);
    expect(rows).toEqual([]);
  });

  it('the sync indicator\'s choice (team.choose) runs the refused first sync', { timeout: 60_000 }, async () => {
    core.projects.create({ name: 'Chosen later' });
    desktop.settings.setCentral({ url: asLogin('ben'), password: PASSWORD });
    await desktop.settings.setCentral({ url: asLogin('ben'), password: PASSWORD });
    await expect(desktop.sync.syncNow()).rejects.toMatchObject({ message: expect.stringMatching(/no team has seen yet/) });
    expect(desktop.sync.status()).toMatchObject({ needsChoice: true, signedIn: null });
    expect(desktop.team.localWork()).toMatchObject({ projects: 1 });
    const result = await desktop.team.choose({ choice: 'upload' });
    expect(result.user.login).toBe('ben');
    expect(desktop.sync.status()).toMatchObject({ needsChoice: false, signedIn: { login: 'ben' }, pending: 0 });
  });

  it('sign out sends pending work first, then empties the laptop and keeps the file', { timeout: 60_000 }, async () => {
    await desktop.team.connect({ url: asLogin('mia'), password: PASSWORD });
    const task = core.tasks.create({ title: `Before signing out ${Date.now()}` });
    expect(core.sync.outbox.pendingCount()).toBeGreaterThan(0);

    const result = await desktop.team.signOut({});
    expect(result.pushed).toBeGreaterThan(0);
    expect(result.unsynced).toBe(0);
    expect(result.movedTo).toMatch(/coordinator\.signed-out-.*\.db$/);
    expect(existsSync(result.movedTo!)).toBe(true);
    expect((await admin.query('SELECT 1 FROM tasks WHERE id = $1', [task.id])).rows).toHaveLength(1);
    expect(core.isEmpty()).toBe(true);
    expect(core.sync.binding.bound()).toBeNull();
    expect(desktop.settings.get().central).toBeNull();
    expect(desktop.sync.status()).toMatchObject({ configured: false, signedIn: null });
  });

  it('sign out with changes the server cannot take is refused with the count, unless forced', { timeout: 60_000 }, async () => {
    await desktop.team.connect({ url: asLogin('mia'), password: PASSWORD });
    // The server goes away: the next two changes cannot be sent.
    await desktop.settings.setCentral({ url: 'postgres://mia@127.0.0.1:1/coordinator', keepPassword: false });
    core.tasks.create({ title: 'Unsent one' });
    core.tasks.create({ title: 'Unsent two' });
    const pending = core.sync.outbox.pendingCount();
    await expect(desktop.team.signOut({})).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(new RegExp(`^${pending} changes could not be sent to 127\\.0\\.0\\.1:1/coordinator \\(Could not reach .*\\)\\. Signing out now would keep them only in the moved-aside file`)),
    });
    expect(core.isEmpty()).toBe(false);
    expect(desktop.settings.get().central).not.toBeNull();

    const forced = await desktop.team.signOut({ force: true });
    expect(forced).toMatchObject({ pushed: 0, unsynced: pending });
    expect(forced.message).toMatch(new RegExp(`${pending} changes that could not be sent stay only in that file`));
    const aside = new Database(forced.movedTo!, { readonly: true });
    try {
      expect((aside.prepare(`SELECT count(*) AS n FROM tasks WHERE title LIKE 'Unsent %'`).get() as { n: number }).n).toBe(2);
    } finally {
      aside.close();
    }
    expect(core.isEmpty()).toBe(true);
  });

  it('a laptop bound to one person refuses another login on the same server until signed out', { timeout: 60_000 }, async () => {
    await desktop.team.connect({ url: asLogin('mia'), password: PASSWORD });
    const preview = await desktop.team.preview({ url: asLogin('ben'), password: PASSWORD });
    expect(preview.boundToOther).toBe('Mia Team');
    await expect(desktop.team.connect({ url: asLogin('ben'), password: PASSWORD })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/belongs to Mia Team on this server\. Sign out first/) });
    expect(desktop.sync.status().signedIn?.login).toBe('mia');
    await desktop.team.signOut({});
    const joined = await desktop.team.connect({ url: asLogin('ben'), password: PASSWORD });
    expect(joined.user.login).toBe('ben');
  });
});
