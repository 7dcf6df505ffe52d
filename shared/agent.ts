import { z } from 'zod';
import { ACTION_STATUSES } from './enums';

/** The assistant across the process boundary (IPC, CLI --json). */


export const askInput = z.strictObject({
  question: z.string().trim().min(1, 'is required').max(4000),
  /** A session printed after an earlier answer (a UUID); absent starts a new one. */
  sessionId: z.uuid('must be the session id printed after an earlier answer').optional(),
  templateId: z.string().min(8).max(64).optional(),
});

export const sourceSchema = z.object({ type: z.enum(['task', 'project', 'comment', 'note', 'employee']), id: z.string(), title: z.string() });

export const diffEntrySchema = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  /** Readable forms of ids (a person's or project's name). */
  beforeLabel: z.string().nullable().optional(),
  afterLabel: z.string().nullable().optional(),
});

export const actionViewSchema = z.object({
  id: z.string(),
  conversationId: z.string().nullable(),
  prompt: z.string(),
  actionType: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  actionData: z.record(z.string(), z.unknown()),
  status: z.enum(ACTION_STATUSES),
  executed: z.boolean(),
  result: z.string().nullable(),
  executedAt: z.string().nullable(),
  createdAt: z.string(),
  /** Why the proposal deserves a second look (it followed text that reads like instructions), or null. */
  flagged: z.string().nullable(),
  summary: z.string(),
  diff: z.array(diffEntrySchema),
});
export type ActionView = z.infer<typeof actionViewSchema>;

export const askResultSchema = z.object({
  sessionId: z.string(),
  conversationId: z.string(),
  answer: z.string(),
  sources: z.array(sourceSchema),
  actions: z.array(actionViewSchema),
  /** The model could not be reached: the question is kept and answered on reconnect. */
  queued: z.boolean(),
  /** Why the question was kept instead of answered (one line), when it was. */
  problem: z.string().nullable().optional(),
  confidence: z.number().nullable(),
  responseTimeMs: z.number().int(),
});
export type AskResult = z.infer<typeof askResultSchema>;

export const rateInput = z.strictObject({ conversationId: z.string().min(8).max(64), rating: z.union([z.literal(1), z.literal(-1)]) });

export const templateViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  template: z.string(),
  category: z.string().nullable(),
  variables: z.array(z.string()),
  usageCount: z.number().int(),
  successRate: z.number().nullable(),
  lastUsed: z.string().nullable(),
});
export type TemplateView = z.infer<typeof templateViewSchema>;

export const conversationViewSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  query: z.string(),
  response: z.string().nullable(),
  queryType: z.string().nullable(),
  responseTimeMs: z.number().nullable(),
  dataSources: z.array(sourceSchema),
  confidenceScore: z.number().nullable(),
  userRating: z.number().nullable(),
  createdAt: z.string(),
});
export type ConversationView = z.infer<typeof conversationViewSchema>;
