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

/** Who the acting login is (coordinator_sign_in), as one query the sync service can send with others. */
export const SIGN_IN_QUERY = 'SELECT user_id::text, username, full_name, email, role, db_login, bypasses_rls FROM coordinator_sign_in()';

/** The reply of SIGN_IN_QUERY. */
export function signInFromRow(row: unknown): SignIn {
  const r = replySchema.parse(row);
  return {
    user: { userId: r.user_id, username: r.username, fullName: r.full_name, email: r.email, role: r.role, login: r.db_login },
    bypassesRls: r.bypasses_rls,
  };
}

/** A failed SIGN_IN_QUERY in words: not migrated, or a login with no access (the error as it was otherwise). */
export function signInRefusal(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '42883' || code === '42P01') return notMigratedError();
  if (code === '28000' && error instanceof Error) {
    const refused = new AppError('FORBIDDEN', `${error.message}. Ask your administrator for access (coordinator admin user add / grant); nothing was sent, and changes not yet synced are kept on this computer.`);
    refused.cause = error;
    return refused;
  }
  return error;
}

/**
 * Who the connected login is, as the server says (coordinator_sign_in): the replica is bound to
 * that person, never to a user it made up. An unmapped or revoked login is refused in words and
 * nothing is sent; the database owner's login is enrolled on its first sign-in.
 */
export async function signIn(db: Queryable): Promise<SignIn> {
  try {
    const { rows } = await db.query(SIGN_IN_QUERY);
    return signInFromRow(rows[0]);
  } catch (error) {
    throw signInRefusal(error);
  }
}
