import { z } from 'zod';

/**
 * The person the central database says the connected login is (never a value the laptop sends).
 * Its own file so both the team contract and the sync status use it without importing each other.
 */
export const signedInUserSchema = z.object({
  userId: z.string(),
  username: z.string(),
  fullName: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'coordinator', 'member']),
  login: z.string(),
});
export type SignedInUser = z.infer<typeof signedInUserSchema>;
