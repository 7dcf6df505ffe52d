/**
 * The CRM bridge's three-way merge (docs/crm-merge.md) against real MariaDB with Perfex's own table
 * definitions (a 2.3-era install: utf8mb3, `text` columns) in strict SQL mode, and a real central
 * PostgreSQL with a laptop replica: a change on one side only is taken as is, for every field and
 * whichever side created the row; only edits on both sides are conflicts; bookkeeping never is.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { centralConflicts, openReplica, type Replica } from '../../support/sync-harness';

const SETUPS = [
  { name: 'Perfex 2.3 tables, strict SQL mode', options: { generation: '2.3', strict: true } },
  { name: 'Perfex 3.1 tables', options: { generation: '3.1' } },
] as const;

describe.each(SETUPS)('$name', ({ options }) => {
  let b: Bridge;
  let laptop: Replica | undefined;
  let staff: { maria: number; tom: number };
  let project: number;

  beforeEach(async () => {
    b = await openBridge(options);
    staff = {
      maria: await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 }),
      tom: await b.crm.addStaff({ email: 'tom@example.com', firstname: 'Tom', lastname: 'Berg' }),
    };
    project = await b.crm.addProject({ name: 'Website relaunch', description: '<p>New site</p>', addedFrom: staff.maria });
  });

  afterEach(async () => {
    await laptop?.dispose().catch(() => undefined);
    laptop = undefined;
    await b.dispose();
  });

  async function openLaptop(asStaff: number): Promise<Replica> {
    laptop = openReplica(b.central, 'laptop');
    await laptop.sync();
    const users = await b.centralBy('users', 'crm_user_id');
    laptop.core.session.setCurrentUser(String(users.get(asStaff)?.id));
    return laptop;
  }

  async function expectQuietSecondRun(): Promise<void> {
    const version = await b.centralVersion();
    const checksum = await b.crm.checksum();
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0, conflicts: 0, skipped: [] });
    expect(await b.centralVersion()).toBe(version);
    expect(await b.crm.checksum()).toBe(checksum);
  }

  it('CRM-only edits to long text and names of rows imported on the first run are kept in the CRM and taken centrally', async () => {
    const task = await b.crm.addTask({ name: 'Draft brief', project, description: '<p>Old text</p>', assignees: [staff.tom] });
    const comment = await b.crm.addComment({ task, content: '<p>First thought</p>', staff: staff.tom });
    await b.run();
    // Every merge base records the central version it was taken at, imported rows included.
    expect((await b.central.query("SELECT entity, crm_id FROM crm_bridge_rows WHERE entity <> 'staff' AND central_version IS NULL")).rows).toEqual([]);

    const taskHtml = '<p>New <strong>brief</strong></p><p>Scope &amp; budget</p>';
    const commentHtml = '<p>Second <em>thought</em></p>';
    const projectHtml = '<p>Faster <a href="https://example.com">site</a></p>';
    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = 'Draft the brief', description = ? WHERE id = ?`, [taskHtml, task]);
    await b.crm.exec(`UPDATE ${b.crm.t('task_comments')} SET content = ? WHERE id = ?`, [commentHtml, comment]);
    await b.crm.exec(`UPDATE ${b.crm.t('projects')} SET description = ? WHERE id = ?`, [projectHtml, project]);

    const r = await b.run();
    expect(r).toMatchObject({ conflicts: 0, exported: 0, skipped: [] });
    // The CRM keeps its rich HTML byte for byte.
    expect(await b.crm.rows(`SELECT name, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task])).toEqual([{ name: 'Draft the brief', description: taskHtml }]);
    expect(await b.crm.rows(`SELECT content FROM ${b.crm.t('task_comments')} WHERE id = ?`, [comment])).toEqual([{ content: commentHtml }]);
    expect(await b.crm.rows(`SELECT description FROM ${b.crm.t('projects')} WHERE id = ?`, [project])).toEqual([{ description: projectHtml }]);
    // Coordinator takes the edits as text.
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)).toMatchObject({ title: 'Draft the brief', description: 'New brief\n\nScope & budget' });
    expect((await b.centralBy('comments', 'crm_comment_id')).get(comment)).toMatchObject({ content: 'Second thought' });
    expect((await b.centralBy('projects', 'crm_project_id')).get(project)).toMatchObject({ description: 'Faster site' });
    expect(await centralConflicts(b.central.client)).toEqual([]);
    await expectQuietSecondRun();
  });

  it('the same CRM-only edits are kept for a task and comment first created in Coordinator', async () => {
    await b.run();
    const l = await openLaptop(staff.maria);
    const projectId = String(l.core.projects.list().find((p) => p.crmProjectId === project)?.id);
    const created = l.core.tasks.create({ title: 'Order banners', projectId, description: 'Two banners' });
    const note = l.core.comments.add({ taskId: created.id, content: 'Printer is booked' });
    await l.sync();
    await b.run();
    const task = Number((await b.crm.rows(`SELECT id FROM ${b.crm.t('tasks')} WHERE name = 'Order banners'`))[0]?.id);
    const comment = Number((await b.crm.rows(`SELECT id FROM ${b.crm.t('task_comments')} WHERE taskid = ?`, [task]))[0]?.id);

    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = 'Order three banners', description = '<p>Three banners</p>' WHERE id = ?`, [task]);
    await b.crm.exec(`UPDATE ${b.crm.t('task_comments')} SET content = '<p>Printer is booked for Monday</p>' WHERE id = ?`, [comment]);
    expect(await b.run()).toMatchObject({ conflicts: 0, exported: 0 });
    expect(await b.crm.rows(`SELECT name, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task])).toEqual([{ name: 'Order three banners', description: '<p>Three banners</p>' }]);
    await l.sync();
    expect(l.core.tasks.get(created.id)).toMatchObject({ title: 'Order three banners', description: 'Three banners' });
    expect(l.core.comments.list({ taskId: created.id }).find((c) => c.id === note.id)?.content).toBe('Printer is booked for Monday');
    expect(await centralConflicts(b.central.client)).toEqual([]);
    await expectQuietSecondRun();
  });

  it("the bridge's own earlier write is never someone else's concurrent edit (its replica id contains ':')", async () => {
    const task = await b.crm.addTask({ name: 'Pick colours', project, description: 'Blue' });
    await b.run();
    const l = await openLaptop(staff.maria);
    const id = String(l.core.tasks.list({}).find((x) => x.crmTaskId === task)?.id);
    l.core.tasks.update({ id, description: 'Blue and orange' });
    await l.sync();
    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = 'Pick brand colours' WHERE id = ?`, [task]);
    // The run stops after the central took the rename and before the CRM got the new description,
    // so the merge base still predates the bridge's own write of the name.
    const stop = (phase: string) => {
      if (phase === 'tasks:crm-write') throw new Error('power cut');
    };
    await expect(b.run({ onProgress: stop })).rejects.toThrow('power cut');
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.title).toBe('Pick brand colours');

    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = 'Pick the brand colours' WHERE id = ?`, [task]);
    expect(await b.run()).toMatchObject({ conflicts: 0, skipped: [] });
    expect(await centralConflicts(b.central.client)).toEqual([]);
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)).toMatchObject({ title: 'Pick the brand colours', description: 'Blue and orange' });
    expect(await b.crm.rows(`SELECT name, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task])).toEqual([{ name: 'Pick the brand colours', description: '<p>Blue and orange</p>' }]);
    await expectQuietSecondRun();
  });

  it('a merge base stored without a central version (by an earlier bridge) still takes a CRM-only edit of text a laptop wrote', async () => {
    const task = await b.crm.addTask({ name: 'Write FAQ', project, description: 'Draft' });
    await b.run();
    const l = await openLaptop(staff.maria);
    const id = String(l.core.tasks.list({}).find((x) => x.crmTaskId === task)?.id);
    l.core.tasks.update({ id, description: 'Questions from the launch' });
    await l.sync();
    await b.run();
    await b.central.query("UPDATE crm_bridge_rows SET central_version = NULL WHERE entity = 'tasks'");

    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET description = '<p>Questions from the launch, answered</p>' WHERE id = ?`, [task]);
    expect(await b.run()).toMatchObject({ conflicts: 0, skipped: [] });
    expect(await b.crm.rows(`SELECT description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task])).toEqual([{ description: '<p>Questions from the launch, answered</p>' }]);
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.description).toBe('Questions from the launch, answered');
    expect(await centralConflicts(b.central.client)).toEqual([]);
    await expectQuietSecondRun();
  });

  it('a CRM edit the central database refuses stays in the CRM, is reported each run, and goes through once accepted', async () => {
    const task = await b.crm.addTask({ name: 'Book hall', project, description: 'Main hall' });
    await b.run();
    // A rule the central database enforces and the CRM does not (as an administrator might add).
    await b.central.query('ALTER TABLE tasks ADD CONSTRAINT title_fits_the_board CHECK (length(title) <= 20)');
    const long = 'Book the main hall for the launch party';
    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = ? WHERE id = ?`, [long, task]);

    for (let run = 0; run < 2; run++) {
      const r = await b.run();
      expect(r.skipped).toEqual([expect.objectContaining({ entity: 'tasks', crmId: task, reason: expect.stringContaining('title_fits_the_board') })]);
      expect(await b.crm.rows(`SELECT name FROM ${b.crm.t('tasks')} WHERE id = ?`, [task])).toEqual([{ name: long }]);
    }
    await b.central.query('ALTER TABLE tasks DROP CONSTRAINT title_fits_the_board');
    expect(await b.run()).toMatchObject({ skipped: [], conflicts: 0 });
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.title).toBe(long);
    await expectQuietSecondRun();
  });

  it('exporting laptop tasks and comments records no conflicts: CRM id columns are bookkeeping', async () => {
    await b.run();
    const l = await openLaptop(staff.maria);
    const projectId = String(l.core.projects.list().find((p) => p.crmProjectId === project)?.id);
    for (const title of ['Print flyers', 'Book venue', 'Send invites']) {
      const t = l.core.tasks.create({ title, projectId });
      l.core.comments.add({ taskId: t.id, content: `Note on ${title}` });
    }
    await l.sync();
    const r = await b.run();
    expect(r).toMatchObject({ exported: 6, conflicts: 0, skipped: [] });
    expect(await centralConflicts(b.central.client)).toEqual([]);
    await l.sync();
    expect(l.core.tasks.list({}).filter((t) => t.crmTaskId != null)).toHaveLength(3);
    expect(l.core.sync.conflicts.list({})).toEqual([]);
    await expectQuietSecondRun();
  });

  it('linking people who already exist in Coordinator to CRM staff, and deactivating them, records no conflicts', async () => {
    laptop = openReplica(b.central, 'laptop');
    const l = laptop;
    const admin = l.core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana Admin', role: 'admin' });
    l.core.session.setCurrentUser(admin.id);
    const tomUser = l.core.users.create({ username: 'tberg', email: 'tom@example.com', fullName: 'Tom B.', role: 'member' });
    l.core.employees.create({ name: 'Tom B.', email: 'tom@example.com', userId: tomUser.id });
    await l.sync();

    expect(await b.run()).toMatchObject({ conflicts: 0, skipped: [] });
    const users = await b.centralBy('users', 'crm_user_id');
    expect(users.get(staff.tom)).toMatchObject({ id: tomUser.id, name: 'Tom Berg' });
    await b.crm.exec(`DELETE FROM ${b.crm.t('staff')} WHERE staffid = ?`, [staff.tom]);
    await b.run();
    expect((await b.centralBy('users', 'crm_user_id')).get(staff.tom)?.is_active).toBe(false);
    expect(await centralConflicts(b.central.client)).toEqual([]);
  });

  it('a comment by someone with no CRM login is never written as someone else; a task they create says who Perfex will show', async () => {
    const task = await b.crm.addTask({ name: 'Prepare the kick-off', project, assignees: [staff.tom] });
    await b.run();
    const l = await openLaptop(staff.maria);
    const nina = l.core.users.create({ username: 'nina', email: 'nina@example.com', fullName: 'Nina Park', role: 'admin' });
    l.core.session.setCurrentUser(nina.id);
    const taskId = String(l.core.tasks.list({}).find((x) => x.crmTaskId === task)?.id);
    const remark = l.core.comments.add({ taskId, content: 'I will bring the slides' });
    const own = l.core.tasks.create({ title: 'Rent a projector', projectId: String(l.core.tasks.get(taskId).projectId) });
    await l.sync();

    const r = await b.run();
    expect(await b.crm.rows(`SELECT id FROM ${b.crm.t('task_comments')}`)).toEqual([]);
    expect(r.warnings.some((w) => w.includes('Nina Park') && w.includes('no CRM login'))).toBe(true);
    const [rented] = await b.crm.rows(`SELECT addedfrom FROM ${b.crm.t('tasks')} WHERE name = 'Rent a projector'`);
    expect(rented?.addedfrom).toBe(staff.maria);
    expect(r.warnings.some((w) => w.includes(`staff #${staff.maria}`))).toBe(true);
    // Nothing is lost: the comment stays in Coordinator, unlinked.
    const { rows } = await b.central.query('SELECT content, crm_comment_id FROM comments WHERE id = $1', [remark.id]);
    expect(rows).toEqual([{ content: 'I will bring the slides', crm_comment_id: null }]);
    expect((await b.central.query('SELECT crm_task_id FROM tasks WHERE id = $1', [own.id])).rows[0]?.crm_task_id).not.toBeNull();
  });

  it("an imported project keeps its creation day, creator and finish date; later finishes and logged time follow the CRM", async () => {
    const done = await b.crm.addProject({ name: 'Old campaign', status: 4, created: '2025-11-03', addedFrom: staff.tom, finished: '2026-01-20 17:00:00' });
    const task = await b.crm.addTask({ name: 'Count leads', project: done, assignees: [staff.tom] });
    await b.run();
    const users = await b.centralBy('users', 'crm_user_id');
    const p = (await b.centralBy('projects', 'crm_project_id')).get(done);
    // Midnight in the CRM's zone (Europe/Berlin) on the creation day.
    expect(new Date(String(p?.created_at)).toISOString()).toBe('2025-11-02T23:00:00.000Z');
    expect(p).toMatchObject({ created_by: users.get(staff.tom)?.id, end_date: '2026-01-20', status: 'done' });

    await b.crm.exec(`UPDATE ${b.crm.t('projects')} SET date_finished = '2026-02-11 09:00:00' WHERE id = ?`, [done]);
    await b.crm.exec(`INSERT INTO ${b.crm.t('taskstimers')} (task_id, start_time, end_time, staff_id) VALUES (?, '1767261600', '1767265200', ?)`, [task, staff.tom]);
    expect(await b.run()).toMatchObject({ imported: 2, conflicts: 0 });
    expect((await b.centralBy('projects', 'crm_project_id')).get(done)?.end_date).toBe('2026-02-11');
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.actual_hours).toBe(1);
    await expectQuietSecondRun();
  });
});

/** One field of the merge property: how each side edits it, and how the result is read back. */
type Side = 'none' | 'crm' | 'central' | 'both';
const word = fc.constantFrom('alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'zulu');
const phrase = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const side = fc.constantFrom<Side>('none', 'crm', 'central', 'both');
const STATUSES = [['todo', 1], ['awaiting_feedback', 2], ['testing', 3], ['in_progress', 4]] as const;
const status = fc.constantFrom(...STATUSES);
const scenario = fc.record({
  origin: fc.constantFrom('crm', 'coordinator'),
  title: fc.record({ side, crm: phrase, central: phrase }),
  description: fc.record({ side, crm: phrase, central: phrase }),
  status: fc.record({ side, crm: status, central: status }),
  comment: fc.record({ side, crm: phrase, central: phrase }),
});

describe('the merge, as a property (Perfex 2.3 tables, strict SQL mode)', () => {
  it('random edits on either or both sides of rows from either side: no one-sided edit is lost, both-sided ones converge with a conflict, a second reconcile writes nothing', async () => {
    const b = await openBridge({ generation: '2.3', strict: true });
    const l = openReplica(b.central, 'laptop');
    try {
      const maria = await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
      const project = await b.crm.addProject({ name: 'Property lab', addedFrom: maria });
      await b.run();
      await l.sync();
      l.core.session.setCurrentUser(String((await b.centralBy('users', 'crm_user_id')).get(maria)?.id));
      let n = 0;

      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          n += 1;
          const conflictsBefore = (await centralConflicts(b.central.client)).length;
          // The row starts on either side and is the same everywhere before the edits.
          let taskId: string;
          if (s.origin === 'crm') {
            const crmTask = await b.crm.addTask({ name: `Task ${n} start`, project, status: 1, description: `<p>Start ${n}</p>`, assignees: [maria] });
            await b.crm.addComment({ task: crmTask, content: `<p>Comment ${n}</p>`, staff: maria });
            await b.run();
            await l.sync();
            taskId = String(l.core.tasks.list({}).find((x) => x.crmTaskId === crmTask)?.id);
          } else {
            const projectId = String(l.core.projects.list().find((p) => p.crmProjectId === project)?.id);
            taskId = l.core.tasks.create({ title: `Task ${n} start`, projectId, description: `Start ${n}` }).id;
            l.core.comments.add({ taskId, content: `Comment ${n}` });
            await l.sync();
            await b.run();
            await l.sync();
          }
          const task = Number(l.core.tasks.get(taskId).crmTaskId);
          const commentId = String(l.core.comments.list({ taskId })[0]?.id);
          const comment = Number((await b.crm.rows(`SELECT id FROM ${b.crm.t('task_comments')} WHERE taskid = ?`, [task]))[0]?.id);
          expect(task).toBeGreaterThan(0);
          expect(comment).toBeGreaterThan(0);
          const before = { title: `Task ${n} start`, description: `Start ${n}`, status: 'todo', comment: `Comment ${n}` };

          const onCentral = (f: { side: Side }) => f.side === 'central' || f.side === 'both';
          const onCrm = (f: { side: Side }) => f.side === 'crm' || f.side === 'both';
          const central = {
            title: `${s.title.central} central`, description: `${s.description.central} central`, status: s.status.central[0], comment: `${s.comment.central} central`,
          };
          const crm = { title: `${s.title.crm} crm`, description: `${s.description.crm} crm`, status: s.status.crm[0], comment: `${s.comment.crm} crm` };
          const patch = {
            ...(onCentral(s.title) ? { title: central.title } : {}),
            ...(onCentral(s.description) ? { description: central.description } : {}),
            ...(onCentral(s.status) ? { status: central.status } : {}),
          };
          if (Object.keys(patch).length) l.core.tasks.update({ id: taskId, ...patch });
          if (onCentral(s.comment)) l.core.comments.edit({ id: commentId, content: central.comment });
          await l.sync();
          if (onCrm(s.title)) await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = ? WHERE id = ?`, [crm.title, task]);
          if (onCrm(s.description)) await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET description = ? WHERE id = ?`, [`<p>${crm.description}</p>`, task]);
          if (onCrm(s.status)) await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET status = ? WHERE id = ?`, [s.status.crm[1], task]);
          if (onCrm(s.comment)) await b.crm.exec(`UPDATE ${b.crm.t('task_comments')} SET content = ? WHERE id = ?`, [`<p>${crm.comment}</p>`, comment]);

          await b.run();
          const version = await b.centralVersion();
          const checksum = await b.crm.checksum();
          expect(await b.run()).toMatchObject({ imported: 0, exported: 0, conflicts: 0 });
          expect(await b.centralVersion()).toBe(version);
          expect(await b.crm.checksum()).toBe(checksum);

          const [crmTask] = await b.crm.rows(`SELECT name, description, status FROM ${b.crm.t('tasks')} WHERE id = ?`, [task]);
          const [crmComment] = await b.crm.rows(`SELECT content FROM ${b.crm.t('task_comments')} WHERE id = ?`, [comment]);
          const c = (await b.central.query('SELECT title, description, status FROM tasks WHERE id = $1', [taskId])).rows[0];
          const cc = (await b.central.query('SELECT content FROM comments WHERE id = $1', [commentId])).rows[0];
          const statusCode = (name: string) => STATUSES.find(([v]) => v === name)?.[1];
          // Both sides agree on every field.
          expect(crmTask).toEqual({ name: c.title, description: `<p>${String(c.description)}</p>`, status: statusCode(String(c.status)) });
          expect(crmComment).toEqual({ content: `<p>${String(cc.content)}</p>` });

          const got = { title: c.title, description: c.description, status: c.status, comment: cc.content };
          const conflicts = (await centralConflicts(b.central.client)).slice(conflictsBefore);
          const contested: string[] = [];
          for (const [field, f] of Object.entries(s) as [keyof typeof got, { side: Side }][]) {
            const column = field === 'comment' ? 'content' : field;
            const recorded = conflicts.filter((x) => x.field === column);
            // An edit to the value a field already had is no edit (a status can be set to what it was).
            const crmEdited = onCrm(f) && crm[field] !== before[field];
            const centralEdited = onCentral(f) && central[field] !== before[field];
            if (!crmEdited && !centralEdited) expect(got[field]).toBe(before[field]);
            if (crmEdited && !centralEdited) expect(got[field]).toBe(crm[field]);
            if (centralEdited && !crmEdited) expect(got[field]).toBe(central[field]);
            if (crmEdited && centralEdited && crm[field] !== central[field]) {
              // Long text keeps the central value and a copy of the CRM's; scalars go by the clock, loser recorded.
              if (field === 'description' || field === 'comment') expect(got[field]).toBe(central[field]);
              expect(recorded).toHaveLength(1);
              contested.push(column);
            }
          }
          // Nothing else is a conflict: not one-sided edits, not the CRM id columns the link writes.
          expect(conflicts.filter((x) => !contested.includes(String(x.field)))).toEqual([]);
        }),
        { numRuns: 12 },
      );
    } finally {
      await l.dispose().catch(() => undefined);
      await b.dispose();
    }
  }, 240_000);
});
