/**
 * When a confirmed proposal counts as stale. The rule is per field: a proposal is refused only if a
 * field it changes no longer holds the value it was proposed against — unless that change was the
 * confirmation of a sibling proposal of the same answer, or the field already holds the proposed
 * value. Edits to other fields, by anyone, never make it stale.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentWorld, type AgentWorld } from '../../support/agent-world';
import { startChatServer, type ChatServer } from '../../support/openai-chat-server';

let w: AgentWorld;
let server: ChatServer;

beforeEach(async () => {
  w = agentWorld();
  server = await startChatServer();
  w.useServer(server.baseURL);
});
afterEach(async () => {
  await server.close();
  w.dispose();
});

/** One answer of the model proposing `calls`; returns the proposals in the order made. */
async function oneAnswer(calls: { name: string; arguments: Record<string, unknown> }[]) {
  server.script.push({ tools: calls }, { reply: 'Proposed.' });
  const r = await w.agent.ask({ question: 'Tidy up the analytics task' });
  expect(r.actions).toHaveLength(calls.length);
  return r.actions.map((a) => a.id);
}

const permutations = <T,>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));

describe('sibling proposals of one answer', () => {
  it.each(permutations([0, 1, 2]).map((order) => [order.join(' → '), order] as const))('three changes to one task can all be confirmed, in any order (%s)', async (_label, order) => {
    const task = w.tasks.open.id;
    const ids = await oneAnswer([
      { name: 'propose_update_task', arguments: { taskId: task, priority: 'urgent' } },
      { name: 'propose_assign_task', arguments: { taskId: task, assignee: 'Maria Garcia' } },
      { name: 'propose_update_task', arguments: { taskId: task, dueDate: '2026-03-12', status: 'in_progress' } },
    ]);
    for (const i of order) {
      w.clock.advance(1000);
      expect(w.agent.actions.confirm(ids[i]!)).toMatchObject({ status: 'executed' });
    }
    expect(w.core.tasks.get(task)).toMatchObject({ priority: 'urgent', assignedTo: w.people.maria.id, dueDate: '2026-03-12', status: 'in_progress' });
  });

  it('two proposals of the same field from one answer: the later confirmation wins', async () => {
    const [start, finish] = await oneAnswer([
      { name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'in_progress' } },
      { name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'done' } },
    ]);
    w.agent.actions.confirm(start!);
    w.clock.advance(1000);
    expect(w.agent.actions.confirm(finish!)).toMatchObject({ status: 'executed' });
    expect(w.core.tasks.get(w.tasks.open.id).status).toBe('done');
  });

  it('a sibling\'s change does not excuse a later change by someone else to the same field', async () => {
    const [start, finish] = await oneAnswer([
      { name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'in_progress' } },
      { name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'done' } },
    ]);
    w.agent.actions.confirm(start!);
    w.clock.advance(1000);
    w.core.tasks.update({ id: w.tasks.open.id, status: 'testing' });
    expect(() => w.agent.actions.confirm(finish!)).toThrow(/status changed since this was proposed/);
    expect(w.core.tasks.get(w.tasks.open.id).status).toBe('testing');
  });

  it('a proposal from a different answer is no sibling: its change to the same field makes this one stale', async () => {
    const [first] = await oneAnswer([{ name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'in_progress' } }]);
    const [second] = await oneAnswer([{ name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'done' } }]);
    w.agent.actions.confirm(first!);
    expect(() => w.agent.actions.confirm(second!)).toThrow(/status changed since this was proposed/);
    expect(w.agent.actions.get(second!)).toMatchObject({ status: 'failed', executed: false });
    expect(w.core.tasks.get(w.tasks.open.id).status).toBe('in_progress');
  });
});

describe('changes by anyone else', () => {
  const FIELDS = {
    status: ['in_progress', 'testing', 'done'],
    priority: ['low', 'high', 'urgent'],
    dueDate: ['2026-04-01', '2026-04-02', '2026-04-03'],
    title: ['Analytics A', 'Analytics B', 'Analytics C'],
    estimatedHours: [5, 8, 13],
  } as const;
  type Field = keyof typeof FIELDS;
  const fieldNames = Object.keys(FIELDS) as Field[];

  it('a proposal is stale exactly when a field it changes was changed to another value; nothing is applied when it is', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(fieldNames, { minLength: 1 }),
        fc.subarray(fieldNames),
        fc.boolean(),
        async (proposedFields, editedFields, editToProposedValue) => {
          const task = w.core.tasks.create({ title: 'Analytics', projectId: w.project.id, assignedTo: w.people.tom.id, priority: 'medium', dueDate: '2026-03-20', estimatedHours: 3 });
          const proposal = Object.fromEntries(proposedFields.map((f) => [f, FIELDS[f][0]]));
          const action = w.agent.actions.propose('propose_update_task', { taskId: task.id, ...proposal }, { prompt: 'p', conversationId: null, flagged: null });
          w.clock.advance(1000);
          // Someone else edits: to the proposed value (harmless) or to a third value.
          const edit = Object.fromEntries(editedFields.map((f) => [f, editToProposedValue && f in proposal ? FIELDS[f][0] : FIELDS[f][1]]));
          if (editedFields.length) w.core.tasks.update({ id: task.id, ...edit });
          const afterEdit = w.core.tasks.get(task.id);
          const stale = editedFields.some((f) => f in proposal && edit[f] !== proposal[f]);
          if (stale) {
            expect(() => w.agent.actions.confirm(action.id)).toThrow(/changed since this was proposed/);
            expect(w.core.tasks.get(task.id)).toEqual(afterEdit);
          } else {
            expect(w.agent.actions.confirm(action.id).status).toBe('executed');
            expect(w.core.tasks.get(task.id)).toMatchObject({ ...edit, ...proposal });
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the refusal names the fields that moved', async () => {
    const [id] = await oneAnswer([{ name: 'propose_update_task', arguments: { taskId: w.tasks.open.id, status: 'done', priority: 'high', dueDate: '2026-03-25' } }]);
    w.core.tasks.update({ id: w.tasks.open.id, priority: 'low', dueDate: '2026-03-30', title: 'Analytics (renamed)' });
    expect(() => w.agent.actions.confirm(id!)).toThrow("The task's priority, due date changed since this was proposed; ask again to get a fresh proposal");
  });
});
