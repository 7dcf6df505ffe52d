import { z } from 'zod';
import {
  auditEntrySchema,
  commentSchema,
  employeeNodeSchema,
  employeeSchema,
  idSchema,
  notificationSchema,
  projectSchema,
  projectSummarySchema,
  taskDetailSchema,
  taskListItemSchema,
  taskSchema,
  userSchema,
} from '../entities';
import {
  commentAddInput,
  commentEditInput,
  employeeCreateInput,
  employeeUpdateInput,
  notificationListFilter,
  projectCreateInput,
  projectStatusInput,
  projectUpdateInput,
  taskCreateInput,
  taskListFilter,
  taskUpdateInput,
  userUpdateInput,
} from '../inputs';
import { channel, event } from './define';
import { taskPageInput, taskPageSchema } from '../task-page';
import { duplicatesInput, memoryOpenOutput, memoryReindexInput, memoryProgressSchema, memoryResultSchema, memorySearchInput, memorySearchOutput, similarTasksInput } from '../memory';
import { aiSettingsInput, centralSettingsInput, conflictViewSchema, crmSettingsInput, settingsViewSchema, syncJoinResultSchema, syncResultSchema, syncStatusSchema } from '../settings';
import { appHealthSchema } from '../health';
import { localWorkSchema, signOutInput, signOutResultSchema, teamChooseInput, teamConnectInput, teamConnectResultSchema, teamPreviewInput, teamPreviewSchema } from '../team';
import { homeTodayInput, homeTodaySchema, paletteEntitiesSchema, workloadInput, workloadSchema } from '../home';
import { insightsInput, insightsSchema, reportBuildInput, reportDraftSchema, reportExportInput, reportExportSchema, reportInput, statusReportSchema } from '../insights';
import { notificationPrefsInput, notificationPrefsSchema } from '../notification-prefs';
import { retentionInput, retentionReportSchema } from '../retention';
import { actionViewSchema, askInput, askResultSchema, conversationViewSchema, rateInput, templateViewSchema } from '../agent';


const none = z.undefined();
const byId = z.strictObject({ id: idSchema });

export const appInfoSchema = z.object({
  version: z.string(),
  databasePath: z.string(),
  currentUser: userSchema.nullable(),
  currentEmployeeId: idSchema.nullable(),
  isEmpty: z.boolean(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/**
 * Every request channel between the renderer and main. The preload's allow-list, the renderer's
 * typed client and the main-process handler registry are all derived from this object, so a
 * channel cannot exist on one side only.
 */
export const channels = {
  'app.info': channel(none, appInfoSchema),
  'app.seedDemo': channel(none, z.object({ employees: z.number(), projects: z.number(), tasks: z.number() })),
  /** About / Health: the local doctor report and the last start-up recovery. */
  'app.health': channel(none, appHealthSchema),

  'projects.list': channel(none, z.array(projectSummarySchema)),
  'projects.get': channel(byId, projectSummarySchema),
  'projects.create': channel(projectCreateInput, projectSchema),
  'projects.update': channel(projectUpdateInput, projectSchema),
  'projects.setStatus': channel(projectStatusInput, projectSchema),

  'tasks.list': channel(taskListFilter, z.array(taskListItemSchema)),
  /** One page of a filtered, sorted task list and the total (virtualised lists and board). */
  'tasks.page': channel(taskPageInput, taskPageSchema),
  /** Several pages in one round trip (the board's columns ask together). */
  'tasks.pages': channel(z.strictObject({ requests: z.array(taskPageInput).min(1).max(20) }), z.array(taskPageSchema)),
  'tasks.get': channel(byId, taskDetailSchema),
  'tasks.create': channel(taskCreateInput, taskSchema),
  'tasks.update': channel(taskUpdateInput, taskSchema),
  'tasks.delete': channel(byId, z.object({ id: idSchema })),
  'tasks.history': channel(byId, z.array(auditEntrySchema)),

  'comments.list': channel(z.strictObject({ taskId: idSchema }), z.array(commentSchema)),
  'comments.add': channel(commentAddInput, commentSchema),
  'comments.edit': channel(commentEditInput, commentSchema),
  'comments.delete': channel(byId, z.object({ id: idSchema })),

  'employees.list': channel(none, z.array(employeeNodeSchema)),
  'employees.create': channel(employeeCreateInput, employeeSchema),
  'employees.update': channel(employeeUpdateInput, employeeSchema),
  'employees.deactivate': channel(byId, employeeSchema),
  'employees.chain': channel(byId, z.array(employeeSchema)),
  'employees.reports': channel(byId, z.array(employeeSchema)),

  'users.list': channel(none, z.array(userSchema)),
  'users.update': channel(userUpdateInput, userSchema),

  'notifications.list': channel(notificationListFilter, z.array(notificationSchema)),
  'notifications.unreadCount': channel(none, z.number().int()),
  'notifications.markRead': channel(byId, notificationSchema),
  'notifications.markAllRead': channel(none, z.object({ updated: z.number().int() })),

  'sync.status': channel(none, syncStatusSchema),
  'sync.now': channel(none, syncResultSchema),
  /** Joins the central database the settings point at though this replica belongs to another (status.needsJoin). */
  'sync.join': channel(none, syncJoinResultSchema),
  /** Who the server says this login is, and what connecting would do (nothing is saved or changed). */
  'team.preview': channel(teamPreviewInput, teamPreviewSchema),
  /** Saves the connection and runs the first sync with the person's first-connect choice. */
  'team.connect': channel(teamConnectInput, teamConnectResultSchema),
  /** The first-connect choice for the server already configured (status.needsChoice). */
  'team.choose': channel(teamChooseInput, teamConnectResultSchema),
  /** Work on this laptop no team has seen: the counts the first-connect choice shows. */
  'team.localWork': channel(none, localWorkSchema),
  /** Sends pending work, keeps this laptop's data in a file beside it, empties it and forgets the server. */
  'team.signOut': channel(signOutInput, signOutResultSchema),
  'settings.get': channel(none, settingsViewSchema),
  'settings.setCentral': channel(centralSettingsInput, settingsViewSchema),
  'settings.testCentral': channel(centralSettingsInput, z.object({ ok: z.literal(true), target: z.string() })),
  'settings.clearCentral': channel(none, settingsViewSchema),
  'settings.setCrm': channel(crmSettingsInput, settingsViewSchema),
  'settings.testCrm': channel(crmSettingsInput, z.object({ ok: z.literal(true), target: z.string() })),
  'settings.clearCrm': channel(none, settingsViewSchema),
  'settings.setAi': channel(aiSettingsInput, settingsViewSchema),
  'settings.clearAi': channel(none, settingsViewSchema),

  /** Streams its answer as `agent.delta` events tagged with the caller's requestId. */
  'agent.ask': channel(askInput.extend({ requestId: z.string().min(1).max(100) }), askResultSchema),
  'agent.cancel': channel(z.strictObject({ requestId: z.string().min(1).max(100) }), z.object({ cancelled: z.boolean() })),
  'agent.actions': channel(z.strictObject({ pending: z.boolean().optional(), conversationId: z.string().max(64).optional() }), z.array(actionViewSchema)),
  'agent.confirm': channel(byId, actionViewSchema),
  'agent.reject': channel(byId, actionViewSchema),
  'agent.templates': channel(none, z.array(templateViewSchema)),
  'agent.rate': channel(rateInput, conversationViewSchema),
  'agent.answerQueued': channel(none, z.object({ answered: z.number().int(), remaining: z.number().int() })),
  'conflicts.list': channel(z.strictObject({ includeResolved: z.boolean().optional() }), z.array(conflictViewSchema)),
  'conflicts.restore': channel(z.strictObject({ id: z.string().min(1).max(100) }), conflictViewSchema),
  'conflicts.dismiss': channel(z.strictObject({ id: z.string().min(1).max(100) }), z.object({ id: z.string() })),

  'memory.search': channel(memorySearchInput, memorySearchOutput),
  'memory.similarTasks': channel(similarTasksInput, z.array(memoryResultSchema)),
  'memory.duplicates': channel(duplicatesInput, z.array(memoryResultSchema)),
  'memory.open': channel(byId, memoryOpenOutput),
  'memory.status': channel(none, memoryProgressSchema),
  /** Switches the embedding model and re-embeds in the background; returns the status right away. */
  'memory.reindex': channel(memoryReindexInput, memoryProgressSchema),

  /** Home / Today for the signed-in user, computed in a few SQL statements. */
  'home.today': channel(homeTodayInput, homeTodaySchema),
  /** Per-person open work, overdue count and this week's hours against capacity. */
  'home.workload': channel(workloadInput, workloadSchema),
  /** Small rows of every task, project and person for the command palette's fuzzy matching. */
  'palette.entities': channel(none, paletteEntitiesSchema),
  'users.notificationPrefs': channel(none, notificationPrefsSchema),
  'users.setNotificationPrefs': channel(notificationPrefsInput, notificationPrefsSchema),
  /** What data retention would remove (dry run), and removing it. */
  'retention.preview': channel(retentionInput, retentionReportSchema),
  'retention.apply': channel(retentionInput, retentionReportSchema),

  /** The series behind every insights chart, for one project or all, over a date range. */
  'insights.get': channel(insightsInput, insightsSchema),
  /** A week's status report (the summary is the template's unless the coordinator's is given). */
  'reports.build': channel(reportBuildInput, statusReportSchema),
  /** The assistant's proposed summary, checked against the figures (else the template, with why). */
  'reports.draft': channel(reportInput, reportDraftSchema),
  'reports.export': channel(reportExportInput, reportExportSchema),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

export const dataChangedSchema = z.object({
  /** Which entity tables changed, so views refetch only what they show. */
  tables: z.array(z.string()),
});

/** Main → renderer events. */
export const events = {
  'data.changed': event(dataChangedSchema),
  'notifications.new': event(notificationSchema),
  'sync.status': event(syncStatusSchema),
  /** A coordinator:// link to open (from an OS notification or a deep link). */
  'app.openUrl': event(z.object({ url: z.string().max(2000) })),
  'agent.delta': event(z.object({ requestId: z.string(), text: z.string() })),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];
