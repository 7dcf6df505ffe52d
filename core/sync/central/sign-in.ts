import { z } from 'zod';
import type { SignedInUser } from '../../../shared/team';
import { signedInUserSchema } from '../../../shared/team';
import { AppError } from '../../common/errors';
import { notMigratedError } from './identity';
import type { Queryable } from './connect';

export interface SignIn {
  user: SignedInUser;
  /** A superuser (or BYPASSRLS) login: a service connection that may act for anyone. */
  bypassesRls: boolean;
}

const replySchema = z.object({
  user_id: z.string(),
  username: z.string(),
  full_name: z.string(),
  email: z.string(),
  role: signedInUserSchema.shape.role,
  db_login: z.string(),
  bypasses_rls: z.boolean(),
});

/**
 * Who the connected login is, as the server says (coordinator_sign_in): the replica is bound to
 * that person, never to a user it made up. An unmapped or revoked login is refused in words and
 * nothing is sent; the database owner's login is enrolled on its first sign-in.
 */
export async function signIn(db: Queryable): Promise<SignIn> {
  try {
    const { rows } = await db.query('SELECT user_id::text, username, full_name, email, role, db_login, bypasses_rls FROM coordinator_sign_in()');
    const r = replySchema.parse(rows[0]);
    return {
      user: { userId: r.user_id, username: r.username, fullName: r.full_name, email: r.email, role: r.role, login: r.db_login },
      bypassesRls: r.bypasses_rls,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42883' || code === '42P01') throw notMigratedError();
    if (code === '28000' && error instanceof Error) {
      const refused = new AppError('FORBIDDEN', `${error.message}. Ask your administrator for access (coordinator admin user add / grant); nothing was sent, and changes not yet synced are kept on this computer.`);
      refused.cause = error;
      throw refused;
    }
    throw error;
  }
}
