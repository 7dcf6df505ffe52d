/**
 * Perfex data as it is found in the wild: each oddity is handled, and a row that cannot be used is
 * reported and skipped while the rest reconciles.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBridge, type Bridge } from '../../support/crm-harness';
import { type Replica } from '../../support/sync-harness';

let b: Bridge;
let laptop: Replica | undefined;
let maria: number;
let project: number;

async function setUp(options: Parameters<typeof openBridge>[0] = {}) {
  b = await openBridge(options);
  maria = await b.crm.addStaff({ email: 'maria@example.com', firstname: 'Maria', lastname: 'Garcia', admin: 1 });
  project = await b.crm.addProject({ name: 'Website relaunch' });
}

afterEach(async () => {
  await laptop?.dispose().catch(() => undefined);
  laptop = undefined;
  await b.dispose();
});

const task = async (crmId: number) => (await b.centralBy('tasks', 'crm_task_id')).get(crmId);

describe('CRM rows with odd values', () => {
  beforeEach(() => setUp());

  it('zero dates are empty dates', async () => {
    const id = await b.crm.addTask({ name: 'Zero dates', project, start: '0000-00-00', due: '0000-00-00', status: 5, finished: '0000-00-00 00:00:00' });
    const r = await b.run();
    expect(r.skipped).toEqual([]);
    expect(await task(id)).toMatchObject({ title: 'Zero dates', start_time: null, due_date: null, status: 'done' });
  });

  it('a NULL priority is medium and stays NULL in the CRM until someone sets one', async () => {
    const id = await b.crm.addTask({ name: 'No priority', project, priority: null });
    await b.run();
    expect(await task(id)).toMatchObject({ priority: 'medium' });
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
    expect((await b.crm.rows(`SELECT priority FROM ${b.crm.t('tasks')} WHERE id = ?`, [id]))[0]?.priority).toBeNull();
  });

  it('status codes outside 1–5 map to a sensible status and are kept in the CRM when other fields change', async () => {
    const id = await b.crm.addTask({ name: 'Module status', project, status: 9 });
    const p2 = await b.crm.addProject({ name: 'Odd project', status: 0 });
    await b.run();
    expect(await task(id)).toMatchObject({ status: 'todo' });
    expect((await b.centralBy('projects', 'crm_project_id')).get(p2)).toMatchObject({ status: 'todo' });
    await b.central.query(`UPDATE tasks SET title = 'Module status (renamed)' WHERE crm_task_id = $1`, [id]);
    await b.run();
    expect(await b.crm.rows(`SELECT name, status FROM ${b.crm.t('tasks')} WHERE id = ?`, [id])).toEqual([{ name: 'Module status (renamed)', status: 9 }]);
  });

  it('duplicate tbltask_assigned rows count once and are not multiplied', async () => {
    const tom = await b.crm.addStaff({ email: 'tom@example.com', firstname: 'Tom', lastname: 'Berg' });
    const id = await b.crm.addTask({ name: 'Dupes', project, assignees: [tom, tom, maria] });
    await b.run();
    const employees = await b.centralBy('employees', 'crm_employee_id');
    expect((await task(id))?.assigned_to).toBe(employees.get(tom)?.id);
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
    expect(await b.crm.rows(`SELECT count(*) AS n FROM ${b.crm.t('task_assigned')} WHERE taskid = ?`, [id])).toEqual([{ n: 3 }]);
  });

  it('comments by customer contacts (staffid 0) have no user and say who wrote them', async () => {
    const id = await b.crm.addTask({ name: 'Feedback', project });
    await b.crm.addComment({ task: id, content: 'Please make the logo bigger', staff: 0, contact: 42 });
    await b.run();
    const { rows } = await b.central.query('SELECT user_id, author, content FROM comments');
    expect(rows).toEqual([{ user_id: null, author: 'Customer contact #42', content: 'Please make the logo bigger' }]);
  });

  it('HTML with scripts and mention markup becomes safe readable text', async () => {
    const id = await b.crm.addTask({
      name: 'Rich', project,
      description: '<p>Hi <span class="mention" data-mention-id="3" contenteditable="false">@Tom Berg</span>,</p><script>alert(1)</script><p>see [task_attachment]<img src=x onerror=alert(2)>the&nbsp;draft</p>',
    });
    await b.crm.addComment({ task: id, content: '<style>p{}</style><p><a href="javascript:alert(3)">link</a> &lt;b&gt;not bold&lt;/b&gt;</p>', staff: maria });
    await b.run();
    expect((await task(id))?.description).toBe('Hi @Tom Berg,\n\nsee the draft');
    const { rows } = await b.central.query('SELECT content FROM comments');
    expect(rows[0]?.content).toBe('link <b>not bold</b>');
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
  });

  it('a task whose project was hard-deleted is reported and skipped; the rest reconciles', async () => {
    const orphan = await b.crm.addTask({ name: 'Orphan', project: 999 });
    const fine = await b.crm.addTask({ name: 'Fine', project });
    const r = await b.run();
    expect(r.skipped).toEqual([{ entity: 'tasks', crmId: orphan, reason: expect.stringMatching(/project 999 does not exist/) }]);
    expect(await task(fine)).toMatchObject({ title: 'Fine' });
    expect(await task(orphan)).toBeUndefined();
  });

  it('a staff email used twice links the first staff member and reports the second', async () => {
    const first = await b.crm.addStaff({ email: 'shared@example.com', firstname: 'Ann', lastname: 'One' });
    const second = await b.crm.addStaff({ email: ' Shared@Example.com', firstname: 'Ann', lastname: 'Two' });
    const r = await b.run();
    expect(r.skipped).toEqual([{ entity: 'staff', crmId: second, reason: expect.stringMatching(/already used by staff/) }]);
    const users = await b.centralBy('users', 'crm_user_id');
    expect(users.get(first)).toMatchObject({ name: 'Ann One' });
    expect(users.has(second)).toBe(false);
  });
});

describe('schema variants', () => {
  it('a 4-byte emoji written into a utf8mb3 table is stored in a form the table accepts, with a warning, and does not bounce back', async () => {
    await setUp({ generation: '3.0' });
    const id = await b.crm.addTask({ name: 'Party', project });
    await b.run();
    await b.central.query(`UPDATE tasks SET title = 'Party 🎉', description = 'Cake 🎂 at 3' WHERE crm_task_id = $1`, [id]);
    const r = await b.run();
    expect(r.warnings.join('\n')).toMatch(/utf8mb3/);
    expect(await b.crm.rows(`SELECT name, description FROM ${b.crm.t('tasks')} WHERE id = ?`, [id])).toEqual([
      { name: 'Party \uFFFD', description: '<p>Cake &#127874; at 3</p>' },
    ]);
    // The central keeps the emoji; the next run writes nothing either way.
    expect(await task(id)).toMatchObject({ title: 'Party 🎉', description: 'Cake 🎂 at 3' });
    const version = await b.centralVersion();
    expect(await b.run()).toMatchObject({ imported: 0, exported: 0 });
    expect(await b.centralVersion()).toBe(version);
  });

  it('the same emoji in a utf8mb4 table is stored as is', async () => {
    await setUp({ generation: '3.1' });
    const id = await b.crm.addTask({ name: 'Party', project });
    await b.run();
    await b.central.query(`UPDATE tasks SET title = 'Party 🎉' WHERE crm_task_id = $1`, [id]);
    const r = await b.run();
    expect(r.warnings).toEqual([]);
    expect(await b.crm.rows(`SELECT name FROM ${b.crm.t('tasks')} WHERE id = ?`, [id])).toEqual([{ name: 'Party 🎉' }]);
  });

  it('a table prefix other than tbl', async () => {
    await setUp({ prefix: 'crm_' });
    const id = await b.crm.addTask({ name: 'Prefixed', project });
    expect((await b.run()).skipped).toEqual([]);
    expect(await task(id)).toMatchObject({ title: 'Prefixed' });
  });

  it('a wrong prefix is a clear error, not a crash', async () => {
    await setUp();
    await expect(b.run({ prefix: 'wp_' })).rejects.toThrow(/has no wp_staff.*--crm-prefix/);
  });

  it('the CRM timezone comes from its options, or from --crm-timezone', async () => {
    await setUp({ timeZone: 'America/New_York' });
    const id = await b.crm.addTask({ name: 'Zoned', project });
    await b.run();
    expect(new Date(String((await task(id))?.created_at)).toISOString()).toBe('2026-02-01T15:30:00.000Z');
    await expect(b.run({ timeZone: 'Mars/Olympus' })).rejects.toThrow(/Unknown timezone/);
  });
});
