import { z } from 'zod';
import { centralSettingsInput, syncResultSchema } from './settings';
import { signedInUserSchema } from './signed-in';

/**
 * Joining a team (docs/team-identity.md): who the server says this login is, what this laptop
 * holds that no team has seen yet, and the person's choice on the first connection.
 */

/** Upload the local work to the team, or keep it in a moved-aside file and start from the team's data. */
export const FIRST_CONNECT_CHOICES = ['upload', 'start-fresh'] as const;
export type FirstConnectChoice = (typeof FIRST_CONNECT_CHOICES)[number];
export const firstConnectChoiceSchema = z.enum(FIRST_CONNECT_CHOICES);

export { signedInUserSchema, type SignedInUser } from './signed-in';

/** Work on this laptop that no central database has seen. */
export const localWorkSchema = z.object({
  projects: z.number().int(),
  tasks: z.number().int(),
  comments: z.number().int(),
  /** Changes waiting in the outbox (the provisional local profile not counted). */
  pendingChanges: z.number().int(),
  /** The data is (or includes) the demo organisation. */
  demo: z.boolean(),
});
export type LocalWork = z.infer<typeof localWorkSchema>;

/** What connecting would do, read from the server without changing anything on this laptop. */
export const teamPreviewSchema = z.object({
  target: z.string(),
  centralId: z.string(),
  user: signedInUserSchema,
  local: localWorkSchema,
  /** The first connection of a laptop holding local work: the person picks upload or start-fresh. */
  choiceNeeded: z.boolean(),
  /** This laptop is already bound to another person on this server: sign out first. */
  boundToOther: z.string().nullable(),
});
export type TeamPreview = z.infer<typeof teamPreviewSchema>;

export const teamPreviewInput = centralSettingsInput;
export const teamConnectInput = centralSettingsInput.extend({ choice: firstConnectChoiceSchema.optional() });
export type TeamConnectInput = z.infer<typeof teamConnectInput>;

export const teamConnectResultSchema = syncResultSchema.extend({
  user: signedInUserSchema,
  /** Where the local work was kept when the person started from the team's data. */
  setAside: z.string().nullable(),
  message: z.string(),
});
export type TeamConnectResult = z.infer<typeof teamConnectResultSchema>;

export const signOutInput = z.strictObject({
  /** Sign out although changes could not be pushed (they stay in the moved-aside file). */
  force: z.boolean().default(false),
});
export const signOutResultSchema = z.object({
  /** Changes pushed just before signing out. */
  pushed: z.number().int(),
  /** Changes that could not be pushed and stay only in the moved-aside file. */
  unsynced: z.number().int(),
  /** The signed-out replica, kept beside the new empty one. */
  movedTo: z.string().nullable(),
  message: z.string(),
});
export type SignOutResult = z.infer<typeof signOutResultSchema>;

/** The first-connect choice for the server already configured (the sync indicator's offer). */
export const teamChooseInput = z.strictObject({ choice: firstConnectChoiceSchema });
