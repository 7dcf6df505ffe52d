import { afterEach, describe, expect, it } from 'vitest';
import { localDate } from '../../core/common/time';
import { manualClock, tempCore } from '../support/core';

/** "Today" is the user's calendar date, not the UTC date of the instant. */
describe('local dates', () => {
  const original = process.env.TZ;
  afterEach(() => {
    process.env.TZ = original;
  });

  it('follow the process timezone', () => {
    const instant = new Date('2026-03-02T03:00:00.000Z');
    process.env.TZ = 'America/Los_Angeles';
    expect(localDate(instant)).toBe('2026-03-01');
    process.env.TZ = 'Asia/Tokyo';
    expect(localDate(instant)).toBe('2026-03-02');
  });

  it('decide what is overdue: a task due today in California is not overdue at 7 pm there', () => {
    const core = tempCore({ clock: manualClock('2026-03-02T03:00:00.000Z') });
    try {
      const user = core.users.create({ username: 'ana', email: 'ana@example.com', fullName: 'Ana', role: 'admin' });
      core.session.setCurrentUser(user.id);
      const project = core.projects.create({ name: 'P' });
      core.tasks.create({ title: 'Due on the 1st', projectId: project.id, dueDate: '2026-03-01' });
      process.env.TZ = 'America/Los_Angeles';
      expect(core.projects.get(project.id).overdueTasks).toBe(0);
      process.env.TZ = 'UTC';
      expect(core.projects.get(project.id).overdueTasks).toBe(1);
    } finally {
      core.dispose();
    }
  });
});
