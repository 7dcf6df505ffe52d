import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Core } from '../app/core';
import { AppError } from '../common/errors';
import { appendingFileSink, configureLogger, createLogger } from '../common/logger';
import { defaultDatabasePath } from './default-db-path';
import { assertFolderExists, describeStorageError } from './errors';
import { createOutput, type Output } from './output';

const log = createLogger('cli');

export interface GlobalOptions {
  db?: string;
  json?: boolean;
  debug?: boolean;
}

export interface CliContext {
  core: Core;
  /** Absolute path of the database file in use. */
  dbFile: string;
  /** True when the command created the file (only `init` and `seed-demo` may). */
  created: boolean;
  out: Output;
}

export function globalOptions(cmd: Command): { dbFile: string; json: boolean; debug: boolean; dbGiven: boolean } {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const file = opts.db ?? defaultDatabasePath();
  return {
    dbFile: file === ':memory:' ? file : path.resolve(file),
    json: Boolean(opts.json),
    debug: Boolean(opts.debug),
    // Only the desktop app's own folder is created on demand; a path someone typed must exist.
    dbGiven: opts.db !== undefined || Boolean(process.env.COORDINATOR_DB?.trim()),
  };
}

/**
 * Where the CLI's log lines go: `$COORDINATOR_LOG_FILE`, else `logs/cli.log` in the database's
 * folder (for the desktop app's database that is beside the app's own `logs/main.log`).
 */
export function cliLogFile(dbFile: string): string {
  const override = process.env.COORDINATOR_LOG_FILE?.trim();
  if (override) return path.resolve(override);
  const folder = dbFile === ':memory:' ? path.dirname(defaultDatabasePath()) : path.dirname(dbFile);
  return path.join(folder, 'logs', 'cli.log');
}

/**
 * Log lines never mix with a command's output: they go to the log file, and to stderr (at debug
 * level) only with --debug or COORDINATOR_DEBUG=1.
 */
export function configureCliLogging(cmd: Command): void {
  const { dbFile, debug } = globalOptions(cmd);
  if (debug || process.env.COORDINATOR_DEBUG === '1') {
    configureLogger({ level: 'debug', sink: (line) => process.stderr.write(`${line}\n`) });
  } else {
    configureLogger({ sink: appendingFileSink(cliLogFile(dbFile)) });
  }
}

/** A failure reading or writing the database file, in words (see describeStorageError). */
function storageFailure(error: unknown, dbFile: string): unknown {
  if (error instanceof AppError) return error;
  const message = describeStorageError(error, dbFile);
  if (!message) return error;
  const wrapped = new AppError('UNAVAILABLE', message);
  wrapped.cause = error;
  return wrapped;
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
  const { dbFile, json, dbGiven } = globalOptions(cmd);
  const exists = dbFile === ':memory:' || existsSync(dbFile);
  if (!exists && !options.create) {
    throw new AppError('NOT_FOUND', `There is no Coordinator database at ${dbFile}; run \`coordinator init\` (or \`coordinator seed-demo\`) first, or point --db at one`);
  }
  if (!exists && dbGiven) assertFolderExists(dbFile, '--db');
  const started = Date.now();
  const { openCore } = await import('../app/core');
  let core: Core;
  try {
    core = openCore({ dbFile });
  } catch (error) {
    if (error instanceof AppError) throw error; // e.g. written by a newer Coordinator
    const storage = storageFailure(error, dbFile);
    if (storage !== error) throw storage;
    const reason = error instanceof Error ? error.message : String(error);
    const wrapped = new AppError('UNAVAILABLE', `Cannot open the database ${dbFile}: ${reason}`);
    wrapped.cause = error;
    throw wrapped;
  }
  try {
    await run({ core, dbFile, created: !exists, out: createOutput(json) });
  } catch (error) {
    throw storageFailure(error, dbFile);
  } finally {
    core.close();
    log.debug('command finished', { command: commandPath(cmd), ms: Date.now() - started });
  }
}
