import { z } from 'zod';
import { idSchema, isoDateSchema, memoryContentTypeSchema } from './entities';

/** Semantic memory across the process boundary (IPC, CLI --json): search, similar tasks, notes. */

export const MAX_QUERY_CHARS = 2_000;
export const SEARCH_MODES = ['hybrid', 'vector', 'text'] as const;

export const memorySearchInput = z.strictObject({
  query: z.string().trim().min(1, 'is required').max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`),
  k: z.number().int().min(1).max(100).optional(),
  types: z.array(memoryContentTypeSchema).min(1).optional(),
  projectId: idSchema.optional(),
  /** Memories created on or after this date (YYYY-MM-DD, UTC). */
  from: isoDateSchema.optional(),
  /** Memories created on or before this date. */
  to: isoDateSchema.optional(),
  mode: z.enum(SEARCH_MODES).optional(),
});

export const snippetSchema = z.object({
  text: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});

export const memoryResultSchema = z.object({
  id: idSchema,
  contentType: memoryContentTypeSchema,
  sourceTable: z.string().nullable(),
  sourceId: z.string().nullable(),
  /** The task to open: the task itself, or the task a comment belongs to. */
  taskId: z.string().nullable(),
  projectId: z.string().nullable(),
  content: z.string(),
  snippet: snippetSchema,
  /** Reciprocal-rank-fusion score (higher is better). */
  score: z.number(),
  /** Calibrated 0–1 vector similarity, when the vector side matched. */
  similarity: z.number().nullable(),
  matchedBy: z.array(z.enum(['text', 'vector'])),
  createdAt: z.string(),
});
export type MemoryResult = z.infer<typeof memoryResultSchema>;

export const memorySearchOutput = z.object({
  results: z.array(memoryResultSchema),
  /** Why the vector side was skipped (model unavailable, index still building), or null. */
  degraded: z.string().nullable(),
});
export type MemorySearchOutput = z.infer<typeof memorySearchOutput>;

export const similarTasksInput = z.strictObject({ taskId: idSchema, k: z.number().int().min(1).max(50).optional() });
export const duplicatesInput = z.strictObject({
  title: z.string().trim().min(1, 'is required').max(500),
  description: z.string().max(100_000).nullish(),
  k: z.number().int().min(1).max(20).optional(),
});

export const noteAddInput = z.strictObject({
  text: z.string().trim().min(1, 'is required').max(100_000, 'must be at most 100000 characters'),
  type: memoryContentTypeSchema.optional(),
});

export const memoryOpenOutput = z.object({
  id: idSchema,
  sourceTable: z.string().nullable(),
  sourceId: z.string().nullable(),
  taskId: z.string().nullable(),
  accessCount: z.number().int(),
  lastAccessed: z.string().nullable(),
});

export const memoryProgressSchema = z.object({
  model: z.string(),
  total: z.number().int(),
  indexed: z.number().int(),
  pending: z.number().int(),
  failed: z.number().int(),
  lastError: z.string().nullable(),
});
export type MemoryProgress = z.infer<typeof memoryProgressSchema>;

/** Switch the embedding model; the core validates the full config (core/memory/embedders). */
export const memoryReindexInput = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('local') }),
  z.strictObject({
    provider: z.literal('openai'),
    model: z.string().trim().min(1).max(200),
    baseURL: z.url().optional(),
    dimensions: z.number().int().min(8).max(8192).optional(),
  }),
]);
