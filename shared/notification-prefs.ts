import { z } from 'zod';
import { notificationTypeSchema } from './entities';

/** Per notification type: show a toast in the window, show an OS notification. */
export const notificationChannelsSchema = z.object({ inApp: z.boolean(), os: z.boolean() });
export const notificationPrefsSchema = z.record(notificationTypeSchema, notificationChannelsSchema);
export type NotificationPrefs = z.infer<typeof notificationPrefsSchema>;
export const notificationPrefsInput = z.strictObject({
  type: notificationTypeSchema,
  inApp: z.boolean().optional(),
  os: z.boolean().optional(),
});
export type NotificationPrefsChange = z.output<typeof notificationPrefsInput>;
