import type pg from 'pg';
import { addUser, revokeUser } from '../../core/admin';

export const TEAM_PASSWORD = 'correct-horse-battery';

/**
 * A small team on a central database, made the way an administrator would (core/admin): Mia
 * (member, with a task assigned to her in "Team launch"), Ben (coordinator, who runs that project),
 * Rex (revoked) and "stray" (a login with no Coordinator user). Every login has TEAM_PASSWORD.
 */
export async function seedTeam(admin: pg.Client): Promise<{ project: string; task: string }> {
  const mia = await addUser(admin, { username: 'mia', role: 'member', email: 'mia@example.com', fullName: 'Mia Team', password: TEAM_PASSWORD });
  const ben = await addUser(admin, { username: 'ben', role: 'coordinator', email: 'ben@example.com', fullName: 'Ben Team', password: TEAM_PASSWORD });
  await addUser(admin, { username: 'rex', role: 'member', email: 'rex@example.com', fullName: 'Rex Gone', password: TEAM_PASSWORD });
  await revokeUser(admin, 'rex');
  await admin.query(`CREATE ROLE stray LOGIN PASSWORD ${admin.escapeLiteral(TEAM_PASSWORD)}`);
  const { rows } = await admin.query<{ project: string; task: string }>(
    `WITH e AS (INSERT INTO employees (id, user_id, name, email) VALUES (gen_random_uuid(), $1, 'Mia Team', 'mia@example.com') RETURNING id),
          p AS (INSERT INTO projects (id, name, created_by) VALUES (gen_random_uuid(), 'Team launch', $2) RETURNING id)
     INSERT INTO tasks (id, title, project_id, assigned_to, created_by)
     SELECT gen_random_uuid(), 'Prepare the launch checklist', p.id, e.id, $2 FROM p, e
     RETURNING project_id::text AS project, id::text AS task`,
    [mia.userId, ben.userId],
  );
  return rows[0]!;
}
