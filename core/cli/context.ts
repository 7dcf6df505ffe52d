import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logger';
import { defaultDatabasePath } from './default-db-path';
import { createOutput, type Output } from './output';

const log = createLogger('cli');

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export interface CliContext {
  core: Core;
  /** Absolute path of the database file in use. */
  dbFile: string;
  /** True when the command created the file (only `init` and `seed-demo` may). */
  created: boolean;
  out: Output;
}

export function globalOptions(cmd: Command): { dbFile: string; json: boolean } {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const file = opts.db ?? defaultDatabasePath();
  return { dbFile: file === ':memory:' ? file : path.resolve(file), json: Boolean(opts.json) };
}

/** `task add`, for logs. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Opens the core for one command, runs it, and closes the database whatever happens. The core is
 * imported lazily so that `--help` and usage errors never load SQLite.
 *
 * Only `init` and `seed-demo` create a database; every other command refuses a missing file, so a
 * mistyped --db does not silently produce an empty replica.
 */
export async function withCore(cmd: Command, run: (ctx: CliContext) => void | Promise<void>, options: { create?: boolean } = {}): Promise<void> {
  const { dbFile, json } = globalOptions(cmd);
  const exists = dbFile === ':memory:' || existsSync(dbFile);
  if (!exists && !options.create) {
    throw new AppError('NOT_FOUND', `There is no Coordinator database at ${dbFile}; run \`coordinator init\` (or \`coordinator seed-demo\`) first, or point --db at one`);
  }
  const started = Date.now();
  const { openCore } = await import('../app/core');
  let core: Core;
  try {
    core = openCore({ dbFile });
  } catch (error) {
    if (error instanceof AppError) throw error; // e.g. written by a newer Coordinator
    const reason = error instanceof Error ? error.message : String(error);
    const wrapped = new AppError('UNAVAILABLE', `Cannot open the database ${dbFile}: ${reason}`);
    wrapped.cause = error;
    throw wrapped;
  }
  try {
    await run({ core, dbFile, created: !exists, out: createOutput(json) });
  } finally {
    core.close();
    log.debug('command finished', { command: commandPath(cmd), ms: Date.now() - started });
  }
}
