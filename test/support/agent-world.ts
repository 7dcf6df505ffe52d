import { createAgent, type Agent } from '../../core/agent/agent';
import type { AiConfig } from '../../core/ai/config';
import { manualClock, tempCore } from './core';

/** A small organisation on a real replica, and an agent pointed at a test server. */
export function agentWorld(options: { role?: 'admin' | 'coordinator' | 'member' } = {}) {
  const clock = manualClock('2026-03-10T09:00:00.000Z');
  const core = tempCore({ clock });
  const people = ['Alex Morgan', 'Maria Garcia', 'Tom Berg'].map((fullName, i) =>
    core.users.create({ username: fullName.split(' ')[0]!.toLowerCase(), email: `${fullName.split(' ')[0]!.toLowerCase()}@example.com`, fullName, role: i === 0 ? (options.role ?? 'coordinator') : 'member' }),
  );
  core.session.setCurrentUser(people[0]!.id);
  const [alex, maria, tom] = people.map((u) => core.employees.create({ name: u.fullName, email: u.email, userId: u.id }));
  const project = core.projects.create({ name: 'Website launch', description: 'New public website' });
  const overdue = core.tasks.create({ title: 'Fix invoice layout', projectId: project.id, assignedTo: maria!.id, dueDate: '2026-03-01', estimatedHours: 6, description: 'The totals column is cut off on A4' });
  const waiting = core.tasks.create({ title: 'Approve homepage copy', projectId: project.id, assignedTo: maria!.id, dueDate: '2026-03-05', status: 'awaiting_feedback', estimatedHours: 2 });
  const open = core.tasks.create({ title: 'Set up analytics', projectId: project.id, assignedTo: tom!.id, dueDate: '2026-03-20', estimatedHours: 3 });
  let config: AiConfig | null = null;
  const agent: Agent = createAgent(core, () => config);
  return {
    core, clock, agent, project, people: { alex: alex!, maria: maria!, tom: tom! }, users: people, tasks: { overdue, waiting, open },
    useServer(baseURL: string, extra: Partial<AiConfig> = {}) {
      config = { baseURL, model: 'test-model', apiKey: 'sk-test', timeoutMs: 10_000, maxRetries: 2, ...extra };
    },
    dispose: () => core.dispose(),
  };
}
export type AgentWorld = ReturnType<typeof agentWorld>;
