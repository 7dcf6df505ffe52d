import { statSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { AppError } from '../common/errors';
import type { AppErrorShape } from '../../shared/errors';

/** One line, whatever the message holds: the CLI's error contract is a single `error: …` line. */
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export interface ErrorSink {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Thrown by a command that has already printed its result and only has to fail with exit code 1
 * (`doctor` with a failed check): nothing more is written, so --json output stays one document.
 */
export class ReportedFailure extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'ReportedFailure';
  }
}

const processSink: ErrorSink = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const SQLITE_MESSAGES: [RegExp, (file: string) => string][] = [
  [/^SQLITE_READONLY/, (f) => `The database ${f} is read-only (check the permissions of the file and its folder, and whether the disk is mounted read-only); nothing was changed`],
  [/^SQLITE_(CANTOPEN|PERM|AUTH)/, (f) => `Cannot open the database ${f}: the file or its folder is missing or not accessible`],
  [/^SQLITE_(BUSY|LOCKED)/, (f) => `The database ${f} is busy (another program is writing to it); try again in a moment`],
  [/^SQLITE_(CORRUPT|NOTADB)/, (f) => `${f} is damaged or is not a Coordinator database; run \`coordinator doctor\`, then \`coordinator recover\``],
  [/^SQLITE_FULL/, (f) => `The disk holding ${f} is full; nothing was changed`],
  [/^SQLITE_IOERR/, (f) => `Reading or writing ${f} failed (a disk or file-system error)`],
];

const FS_MESSAGES: Record<string, (p: string) => string> = {
  ENOENT: (p) => `${p} does not exist (nor does its folder, perhaps)`,
  ENOTDIR: (p) => `Part of the path ${p} is a file, not a folder`,
  EISDIR: (p) => `${p} is a folder, not a file`,
  EACCES: (p) => `Permission denied: ${p}`,
  EPERM: (p) => `Not permitted: ${p}`,
  EROFS: (p) => `${p} is on a read-only file system`,
  ENOSPC: (p) => `The disk holding ${p} is full`,
  EEXIST: (p) => `${p} already exists`,
};

/**
 * The one translation of file-system and SQLite failures into a sentence: every command reaches
 * the disk through here when something goes wrong, so a read-only file, a missing folder or a busy
 * database reads the same whatever the command. `file` is the database (or output) in question,
 * for errors that do not carry a path themselves. Null for anything else.
 */
export function describeStorageError(error: unknown, file?: string): string | null {
  if (!(error instanceof Error)) return null;
  const { code, path: errorPath } = error as NodeJS.ErrnoException;
  const subject = errorPath ?? file ?? 'the database';
  if (typeof code === 'string') {
    const sqlite = SQLITE_MESSAGES.find(([pattern]) => pattern.test(code));
    if (sqlite) return sqlite[1](file ?? 'in use');
    const fsMessage = FS_MESSAGES[code];
    if (fsMessage) return fsMessage(subject);
  }
  // better-sqlite3's backup() checks the folder itself and throws a plain TypeError.
  if (/directory does not exist/i.test(error.message)) return `The folder of ${file ?? 'the output file'} does not exist; create it first`;
  return null;
}

/**
 * Refuses a file whose folder does not exist: a mistyped path must not silently create a tree of
 * folders (`init --db /typo/dir/x.db`) or fail deep inside a command (`backup --out missing/x.db`).
 */
export function assertFolderExists(file: string, flag: string): void {
  const folder = path.dirname(path.resolve(file));
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new AppError('NOT_FOUND', `The folder ${folder} does not exist (${flag} ${file}); create it first or correct the path`);
  }
  if (!isFolder) throw new AppError('VALIDATION', `${folder} is not a folder (${flag} ${file})`);
}

function describeUnexpected(error: unknown): string {
  const storage = describeStorageError(error);
  if (storage) return storage;
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
    return 'better-sqlite3 is currently built for Electron, not for this Node.js; run `npm rebuild better-sqlite3` to use the CLI';
  }
  return `unexpected failure: ${message}`;
}

/**
 * Reports a failure and returns the exit code. AppErrors print their message (never a stack);
 * commander has already printed its own usage errors; anything else prints one line, plus the
 * stack with --debug or COORDINATOR_DEBUG=1. With --json the error also goes to stdout as `{"error":{…}}`.
 */
export function reportError(error: unknown, json: boolean, sink: ErrorSink = processSink, debug = process.env.COORDINATOR_DEBUG === '1'): number {
  if (error instanceof ReportedFailure) return 1;
  if (error instanceof CommanderError) {
    // Help and --version end up here too, with exit code 0; commander printed everything already.
    if (error.exitCode !== 0 && json) {
      // 'commander.help': a command group was given without one of its commands; the usage went to stderr.
      const message = error.code === 'commander.help' ? 'a command is missing; see the usage on stderr' : oneLine(error.message.replace(/^error:\s*/, ''));
      sink.stdout(`${JSON.stringify({ error: { code: 'VALIDATION', message } })}\n`);
    }
    return error.exitCode === 0 ? 0 : 1;
  }
  let shape: AppErrorShape;
  if (error instanceof AppError) {
    shape = error.toShape();
  } else {
    shape = { code: 'INTERNAL', message: describeUnexpected(error) };
  }
  shape = { ...shape, message: oneLine(shape.message) };
  sink.stderr(`error: ${shape.message}\n`);
  if (debug) {
    // An AppError's own stack says nothing; the unexpected failure it wraps (if any) might.
    const unexpected = error instanceof AppError ? error.cause : error;
    if (unexpected instanceof Error && unexpected.stack) sink.stderr(`${unexpected.stack}\n`);
  }
  if (json) sink.stdout(`${JSON.stringify({ error: shape })}\n`);
  return 1;
}
