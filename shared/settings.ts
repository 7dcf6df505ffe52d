import { z } from 'zod';
import { signedInUserSchema } from './signed-in';

/**
 * TLS modes for every database connection (central PostgreSQL, the CRM's MySQL), in libpq's names;
 * the one list the settings, the CLI, the connection code and the forms all use.
 */
export const TLS_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type TlsMode = (typeof TLS_MODES)[number];
export const isTlsMode = (value: string): value is TlsMode => (TLS_MODES as readonly string[]).includes(value);
export const TLS_MODE_LABELS: Record<TlsMode, string> = {
  disable: 'Disable (no TLS)',
  require: 'Require (encrypt, no certificate check)',
  'verify-ca': 'Verify CA',
  'verify-full': 'Verify full (CA and host name)',
};
export const sslModeSchema = z.enum(TLS_MODES);

export const centralSettingsInput = z.strictObject({
  url: z
    .string()
    .max(2000)
    .refine((s) => /^(postgres(ql)?|https?):\/\/[^\s]+$/.test(s) && URL.canParse(s), 'must be a postgres:// URL, or the https:// URL of a sync service'),
  /** A new password; omitted keeps the stored one when keepPassword is set. */
  password: z.string().max(1000).optional(),
  keepPassword: z.boolean().default(true),
  sslMode: sslModeSchema.default('disable'),
  allowPlaintextPassword: z.boolean().default(false),
  syncIntervalSeconds: z.number().int().min(15).max(86_400).default(300),
});
export type CentralSettingsInput = z.infer<typeof centralSettingsInput>;

export const crmSettingsInput = z.strictObject({
  url: z
    .string()
    .max(2000)
    .refine((s) => /^(mysql|mariadb):\/\/[^\s]+$/.test(s) && URL.canParse(s), 'must be a mysql:// URL'),
  password: z.string().max(1000).optional(),
  keepPassword: z.boolean().default(true),
  prefix: z.string().regex(/^[A-Za-z0-9_]{0,32}$/, 'letters, digits and _ only').default('tbl'),
  /** IANA zone; empty means the CRM's own default_timezone option. */
  timeZone: z.string().max(64).default(''),
  sslMode: sslModeSchema.default('disable'),
  allowPlaintextPassword: z.boolean().default(false),
});
export type CrmSettingsInput = z.infer<typeof crmSettingsInput>;

export const aiSettingsInput = z.strictObject({
  /** An OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM); empty means OpenAI itself. */
  baseURL: z.union([z.literal(''), z.string().max(2000).refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), 'must be an http(s) URL')]).default(''),
  apiKey: z.string().max(500).optional(),
  keepApiKey: z.boolean().default(true),
  model: z.string().trim().min(1).max(200).default('gpt-4o-mini'),
});

export const settingsViewSchema = z.object({
  central: z
    .object({
      url: z.string(),
      sslMode: sslModeSchema,
      allowPlaintextPassword: z.boolean(),
      hasPassword: z.boolean(),
      syncIntervalSeconds: z.number().int(),
    })
    .nullable(),
  crm: z
    .object({ url: z.string(), prefix: z.string(), timeZone: z.string(), sslMode: sslModeSchema, allowPlaintextPassword: z.boolean(), hasPassword: z.boolean() })
    .nullable()
    .default(null),
  ai: z.object({ baseURL: z.string(), model: z.string(), hasApiKey: z.boolean() }).nullable().default(null),
  secretsAvailable: z.boolean(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** Where the background sync is: no central reachable, working, resting between runs, failed. */
export const SYNC_STATES = ['offline', 'syncing', 'idle', 'error'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export const syncStatusSchema = z.object({
  configured: z.boolean(),
  state: z.enum(SYNC_STATES),
  pending: z.number().int(),
  rejected: z.number().int(),
  conflicts: z.number().int(),
  lastSyncedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** The last sync was refused because this laptop's data belongs to another central database; `sync.join` joins it. */
  needsJoin: z.boolean().default(false),
  /** The first sync was refused until the person chooses to upload this laptop's work or start from the team's (`team.choose`). */
  needsChoice: z.boolean().default(false),
  /** The person the server said this laptop belongs to (null before the first sign-in, and after signing out). */
  signedIn: signedInUserSchema.nullable().default(null),
  /** What the last sync that gave this replica a new identity (a join, a restored server or file) said, for the person. */
  identityNotice: z.string().nullable().default(null),
  nextAttemptAt: z.string().nullable(),
  progress: z
    .object({ phase: z.enum(['push', 'bootstrap', 'pull']), table: z.string().optional(), done: z.number(), total: z.number().nullable() })
    .nullable(),
  /** The last reconcile with the CRM, when one is configured. */
  crm: z
    .object({
      at: z.string(),
      ok: z.boolean(),
      message: z.string(),
      imported: z.number().int(),
      exported: z.number().int(),
      conflicts: z.number().int(),
      skipped: z.number().int(),
    })
    .nullable()
    .default(null),
});
export type SyncStatusView = z.infer<typeof syncStatusSchema>;

export const syncResultSchema = z.object({
  pushed: z.number().int(),
  pulled: z.number().int(),
  conflicts: z.number().int(),
  rejected: z.number().int(),
  skipped: z.array(z.object({ table: z.string(), id: z.string(), reason: z.string() })),
  durationMs: z.number(),
});
export type SyncResultView = z.infer<typeof syncResultSchema>;

/** A join's sync result and what it did, in words. */
export const syncJoinResultSchema = syncResultSchema.extend({ message: z.string() });
export type SyncJoinResultView = z.infer<typeof syncJoinResultSchema>;

export const conflictViewSchema = z.object({
  id: z.string(),
  table: z.string(),
  rowId: z.string(),
  field: z.string().nullable(),
  kind: z.enum(['field_lww', 'text_copy', 'delete_wins', 'rejected']),
  losingValue: z.unknown(),
  winningValue: z.unknown(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  label: z.string().nullable(),
});
