/**
 * The CRM bridge against real MariaDB (Perfex-shaped schemas of both generations) and a real
 * central PostgreSQL, with a laptop replica where the scenario needs one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { openReplica, type Replica } from '../../support/sync-harness';

const SCHEMAS = [
  { generation: '3.0', strict: false },
  { generation: '3.1', strict: false },
  // Perfex's own 2.3-era table definitions, with the CRM's writes and the bridge's in strict SQL mode.
  { generation: '2.3', strict: true },
] as const;

describe.each(SCHEMAS)('Perfex $generation schema (strict SQL mode: $strict)', ({ generation, strict }) => {
  let b: Bridge;
  let laptop: Replica | undefined;
  let staff: { maria: number; tom: number; lea: number };
  let project: number;

  beforeEach(async () => {
    b = await openBridge({ generation, strict });
    staff = {
      maria: await b.crm.addStaff({ email: 'Maria@Example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 }),
      tom: await b.crm.addStaff({ email: 'tom@example.com', firstname: 'Tom', lastname: 'Berg' }),
      lea: await b.crm.addStaff({ email: 'lea@example.com', firstname: 'Lea', lastname: 'Stein', active: 0 }),
    };
    project = await b.crm.addProject({ name: 'Website relaunch', status: 2, description: '<p>New <strong>site</strong></p>', deadline: '2026-06-30' });
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

  it('imports staff, projects, tasks, assignees, comments and logged hours; a second run writes nothing', async () => {
    const task = await b.crm.addTask({ name: 'Design the home page', project, status: 4, priority: 3, due: '2026-03-15', description: '<p>Hero<br>and footer</p>', assignees: [staff.tom, staff.maria] });
    const done = await b.crm.addTask({ name: 'Buy domain', project, status: 5, priority: 1, finished: '2026-02-03 16:45:00' });
    await b.crm.exec(`INSERT INTO ${b.crm.t('taskstimers')} (task_id, start_time, end_time, staff_id) VALUES (?, '1767261600', '1767267000', ?), (?, '1767270000', NULL, ?)`, [task, staff.tom, task, staff.tom]);
    await b.crm.addComment({ task, content: '<p>Looks <em>good</em> &amp; fast</p>', staff: staff.maria });
    await b.crm.addComment({ task, content: 'Can we use our logo?', staff: 0, contact: 7 });

    const first = await b.run();
    expect(first).toMatchObject({ ran: true, skipped: [] });
    expect(first.imported).toBeGreaterThanOrEqual(7);

    const users = await b.centralBy('users', 'crm_user_id');
    expect(users.get(staff.maria)).toMatchObject({ email: 'maria@example.com', name: 'Maria Garcia', role: 'admin', is_active: true });
    expect(users.get(staff.tom)).toMatchObject({ role: 'member', username: 'tom' });
    expect(users.get(staff.lea)).toMatchObject({ is_active: false });
    const employees = await b.centralBy('employees', 'crm_employee_id');
    expect(employees.get(staff.tom)).toMatchObject({ name: 'Tom Berg', user_id: users.get(staff.tom)?.id });

    const projects = await b.centralBy('projects', 'crm_project_id');
    expect(projects.get(project)).toMatchObject({ name: 'Website relaunch', status: 'in_progress', description: 'New site', deadline: '2026-06-30' });

    const tasks = await b.centralBy('tasks', 'crm_task_id');
    const t = tasks.get(task);
    expect(t).toMatchObject({ title: 'Design the home page', status: 'in_progress', priority: 'high', due_date: '2026-03-15', description: 'Hero\nand footer', project_id: projects.get(project)?.id });
    // The first CRM assignee is the task's assignee; logged hours come from finished timers (1.5 h).
    expect(t?.assigned_to).toBe(employees.get(staff.tom)?.id);
    expect(t?.actual_hours).toBe(1.5);
    // Naive CRM datetimes are Europe/Berlin local time.
    expect(new Date(String(t?.created_at)).toISOString()).toBe('2026-02-01T09:30:00.000Z');
    expect(new Date(String(tasks.get(done)?.completed_at)).toISOString()).toBe('2026-02-03T15:45:00.000Z');
    expect(tasks.get(done)).toMatchObject({ status: 'done', priority: 'low' });

    const { rows: comments } = await b.central.query('SELECT content, author, user_id, comment_order FROM comments ORDER BY comment_order');
    expect(comments).toEqual([
      { content: 'Looks good & fast', author: 'Maria Garcia', user_id: users.get(staff.maria)?.id, comment_order: 1 },
      { content: 'Can we use our logo?', author: 'Customer contact #7', user_id: null, comment_order: 2 },
    ]);

    const version = await b.centralVersion();
    const checksum = await b.crm.checksum();
    const second = await b.run();
    expect(second).toMatchObject({ ran: true, imported: 0, exported: 0, conflicts: 0, skipped: [] });
    expect(await b.centralVersion()).toBe(version);
    expect(await b.crm.checksum()).toBe(checksum);
    // The other assignee is still there.
    expect(await b.crm.rows(`SELECT staffid FROM ${b.crm.t('task_assigned')} WHERE taskid = ? ORDER BY id`, [task])).toEqual([{ staffid: staff.tom }, { staffid: staff.maria }]);
  });

  it('a CRM edit reaches the central database and then the laptop', async () => {
    const task = await b.crm.addTask({ name: 'Write copy', project, status: 1, assignees: [staff.tom] });
    await b.run();
    const l = await openLaptop(staff.tom);
    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET name = 'Write landing copy', status = 3, duedate = '2026-04-01', priority = 4 WHERE id = ?`, [task]);
    const r = await b.run();
    expect(r).toMatchObject({ imported: 1, exported: 0 });
    await l.sync();
    const local = l.core.tasks.list({}).find((x) => x.crmTaskId === task);
    expect(local).toMatchObject({ title: 'Write landing copy', status: 'testing', dueDate: '2026-04-01', priority: 'urgent' });
    expect((await b.run())).toMatchObject({ imported: 0, exported: 0 });
  });

  it('a laptop edit reaches the CRM the way Perfex would write it, in strict SQL mode', async () => {
    const task = await b.crm.addTask({ name: 'Launch checklist', project, status: 1, assignees: [staff.tom] });
    await b.run();
    const l = await openLaptop(staff.maria);
    const local = l.core.tasks.list({}).find((x) => x.crmTaskId === task);
    const employees = await b.centralBy('employees', 'crm_employee_id');
    l.core.tasks.update({ id: String(local?.id), status: 'done', description: 'Check <links>\n  and forms & "quotes"', assignedTo: String(employees.get(staff.maria)?.id) });
    const created = l.core.tasks.create({ title: 'Press release', projectId: String(local?.projectId), priority: 'urgent', dueDate: '2026-05-01' });
    l.core.comments.add({ taskId: created.id, content: 'Draft is in the shared folder' });
    await l.sync();

    const strict = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
    const r = await b.run({ sqlMode: strict });
    expect(r.skipped).toEqual([]);
    expect(r.exported).toBe(3);
    const [row] = await b.crm.rows(`SELECT status, datefinished, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task]);
    expect(row?.status).toBe(5);
    expect(row?.datefinished).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(row?.description).toBe('<p>Check &lt;links&gt;<br>&#32;&#32;and forms &amp; &quot;quotes&quot;</p>');
    expect(await b.crm.rows(`SELECT staffid FROM ${b.crm.t('task_assigned')} WHERE taskid = ?`, [task])).toEqual([{ staffid: staff.maria }]);

    const [press] = await b.crm.rows(`SELECT * FROM ${b.crm.t('tasks')} WHERE name = 'Press release'`);
    expect(press).toMatchObject({ rel_type: 'project', rel_id: project, priority: 4, duedate: '2026-05-01', status: 1, addedfrom: staff.maria });
    expect(press?.dateadded).toMatch(/^2026-03-02 10:00:00$/); // the laptop's 09:00Z in Berlin
    const [comment] = await b.crm.rows(`SELECT * FROM ${b.crm.t('task_comments')} WHERE taskid = ?`, [press?.id]);
    expect(comment).toMatchObject({ content: '<p>Draft is in the shared folder</p>', staffid: staff.maria, contact_id: 0 });
    const centralTask = (await b.centralBy('tasks', 'crm_task_id')).get(Number(press?.id));
    expect(centralTask?.id).toBe(created.id);

    const version = await b.centralVersion();
    const checksum = await b.crm.checksum();
    expect(await b.run({ sqlMode: strict })).toMatchObject({ imported: 0, exported: 0, skipped: [] });
    expect(await b.centralVersion()).toBe(version);
    expect(await b.crm.checksum()).toBe(checksum);
    await l.sync();
    expect(l.core.tasks.get(created.id).crmTaskId).toBe(Number(press?.id));
  });

  it('the same field edited on both sides: scalars by the sync policy with the loser recorded; long text keeps the central value and a copy', async () => {
    const task = await b.crm.addTask({ name: 'Pick fonts', project, status: 1, description: 'Serif' });
    await b.run();
    const l = await openLaptop(staff.maria);
    const id = String(l.core.tasks.list({}).find((x) => x.crmTaskId === task)?.id);
    l.core.tasks.update({ id, status: 'in_progress', description: 'Sans serif, per brand book' });
    await l.sync();
    await b.crm.exec(`UPDATE ${b.crm.t('tasks')} SET status = 3, description = '<p>Slab serif</p>' WHERE id = ?`, [task]);

    const r = await b.run();
    expect(r.conflicts).toBe(1);
    const t = (await b.centralBy('tasks', 'crm_task_id')).get(task);
    expect(t).toMatchObject({ status: 'testing', description: 'Sans serif, per brand book' });
    const [crmRow] = await b.crm.rows(`SELECT status, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [task]);
    expect(crmRow).toEqual({ status: 3, description: '<p>Sans serif, per brand book</p>' });
    const { rows: conflicts } = await b.central.query('SELECT field, kind, losing_client_id, losing_value FROM sync_conflicts ORDER BY field');
    expect(conflicts).toEqual([
      { field: 'description', kind: 'text_copy', losing_client_id: 'crm:postgres', losing_value: 'Slab serif' },
      { field: 'status', kind: 'field_lww', losing_client_id: l.core.sync.state.clientId(), losing_value: 'in_progress' },
    ]);
    // The laptop sees the value it lost in its Conflicts view.
    await l.sync();
    // An administrator's replica also sees the CRM's text that lost, and can restore it.
    expect(l.core.sync.conflicts.list({}).map((c) => c.field).sort()).toEqual(['description', 'status']);
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0, conflicts: 0 });
  });

  it('a CRM hard delete deletes centrally and on the laptop; a central delete removes the CRM task with its children', async () => {
    const gone = await b.crm.addTask({ name: 'Old idea', project, assignees: [staff.tom] });
    const kept = await b.crm.addTask({ name: 'Keep me', project, assignees: [staff.tom] });
    await b.crm.addComment({ task: kept, content: 'note', staff: staff.tom });
    await b.run();
    const l = await openLaptop(staff.maria);
    await b.crm.exec(`DELETE FROM ${b.crm.t('tasks')} WHERE id = ?`, [gone]);
    await b.crm.exec(`DELETE FROM ${b.crm.t('task_assigned')} WHERE taskid = ?`, [gone]);
    expect(await b.run()).toMatchObject({ imported: 1 });
    await l.sync();
    expect(l.core.tasks.list({}).map((x) => x.title)).toEqual(['Keep me']);

    l.core.tasks.delete(String(l.core.tasks.list({})[0]?.id));
    await l.sync();
    expect(await b.run()).toMatchObject({ exported: 1 });
    expect(await b.crm.rows(`SELECT id FROM ${b.crm.t('tasks')}`)).toEqual([]);
    expect(await b.crm.rows(`SELECT id FROM ${b.crm.t('task_comments')}`)).toEqual([]);
    expect(await b.crm.rows(`SELECT id FROM ${b.crm.t('task_assigned')}`)).toEqual([]);
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
  });

  it('assignee changes on both sides keep every CRM assignee', async () => {
    const task = await b.crm.addTask({ name: 'QA pass', project, assignees: [staff.tom] });
    await b.run();
    const l = await openLaptop(staff.maria);
    const employees = await b.centralBy('employees', 'crm_employee_id');
    // The CRM adds a second assignee; the laptop makes Maria the primary one.
    await b.crm.exec(`INSERT INTO ${b.crm.t('task_assigned')} (staffid, taskid, assigned_from) VALUES (?, ?, 1)`, [staff.lea, task]);
    const id = String(l.core.tasks.list({}).find((x) => x.crmTaskId === task)?.id);
    l.core.tasks.update({ id, assignedTo: String(employees.get(staff.maria)?.id) });
    await l.sync();
    await b.run();
    const assigned = async () => (await b.crm.rows(`SELECT staffid FROM ${b.crm.t('task_assigned')} WHERE taskid = ? ORDER BY id`, [task])).map((r) => r.staffid);
    expect(await assigned()).toEqual([staff.maria, staff.lea]);
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.assigned_to).toBe(employees.get(staff.maria)?.id);

    // Unassigning on the laptop removes the primary; the next CRM assignee becomes the task's.
    l.core.tasks.update({ id, assignedTo: null });
    await l.sync();
    await b.run();
    expect(await assigned()).toEqual([staff.lea]);
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.assigned_to).toBe(employees.get(staff.lea)?.id);

    // The CRM replaces the assignee.
    await b.crm.exec(`UPDATE ${b.crm.t('task_assigned')} SET staffid = ? WHERE taskid = ?`, [staff.tom, task]);
    await b.run();
    expect((await b.centralBy('tasks', 'crm_task_id')).get(task)?.assigned_to).toBe(employees.get(staff.tom)?.id);
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
  });
});
