import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from '../common/transport-security';

/**
 * When and where the desktop app looks for updates. Off unless an administrator configured a
 * feed: `COORDINATOR_UPDATE_URL` in the environment, or `updates.json` in the app's user-data
 * folder (deployable by the same means as the app). The Electron side (electron/main/updater.ts)
 * only carries out this decision.
 */
export const updateConfigSchema = z.strictObject({
  /** An electron-builder "generic" feed: the folder holding latest.yml / latest-linux.yml / latest-mac.yml. */
  feedUrl: z.string().max(2000),
  channel: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and -').default('latest'),
  checkIntervalHours: z.number().min(1).max(24 * 7).default(6),
  allowPrerelease: z.boolean().default(false),
});

export type UpdateDecision =
  | { enabled: false; reason: string }
  | { enabled: true; feedUrl: string; channel: string; intervalMs: number; allowPrerelease: boolean; source: 'environment' | 'file' };

export interface UpdateContext {
  env: Record<string, string | undefined>;
  /** The parsed updates.json, or null when there is none. */
  file: unknown;
  isPackaged: boolean;
}

/**
 * Installers are code: the feed must be https (a loopback http feed is accepted for testing an
 * update server on this machine). electron-updater also checks the downloaded file's sha512
 * against the feed's metadata, and on Windows/macOS its code signature.
 */
export function resolveUpdatePolicy(context: UpdateContext): UpdateDecision {
  if (/^(0|off|false|no)$/i.test(context.env.COORDINATOR_UPDATES ?? '')) return { enabled: false, reason: 'turned off by COORDINATOR_UPDATES' };
  const fromEnv = context.env.COORDINATOR_UPDATE_URL?.trim();
  let raw: unknown;
  let source: 'environment' | 'file';
  if (fromEnv) {
    raw = { feedUrl: fromEnv, ...(context.env.COORDINATOR_UPDATE_CHANNEL ? { channel: context.env.COORDINATOR_UPDATE_CHANNEL } : {}) };
    source = 'environment';
  } else if (context.file !== null && context.file !== undefined) {
    raw = context.file;
    source = 'file';
  } else {
    return { enabled: false, reason: 'no update feed configured' };
  }
  const parsed = updateConfigSchema.safeParse(raw);
  if (!parsed.success) return { enabled: false, reason: `invalid update settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}` };
  let url: URL;
  try {
    url = new URL(parsed.data.feedUrl);
  } catch {
    return { enabled: false, reason: 'the update feed is not a valid URL' };
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!secure) return { enabled: false, reason: 'the update feed must be an https URL' };
  if (url.username || url.password) return { enabled: false, reason: 'the update feed URL must not carry credentials' };
  if (!context.isPackaged) return { enabled: false, reason: 'development build (updates apply to installed apps only)' };
  return {
    enabled: true,
    feedUrl: url.href,
    channel: parsed.data.channel,
    intervalMs: Math.round(parsed.data.checkIntervalHours * 3_600_000),
    allowPrerelease: parsed.data.allowPrerelease,
    source,
  };
}

/** Reads updates.json; a missing file is null, an unreadable one is reported through the policy. */
export function readUpdateConfigFile(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return { unreadable: file };
  }
}
