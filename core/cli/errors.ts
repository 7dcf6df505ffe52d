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

function describeUnexpected(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
    return 'better-sqlite3 is currently built for Electron, not for this Node.js; run `npm rebuild better-sqlite3` to use the CLI';
  }
  return `unexpected failure: ${message}`;
}

/**
 * Reports a failure and returns the exit code. AppErrors print their message (never a stack);
 * commander has already printed its own usage errors; anything else prints one line, plus the
 * stack when COORDINATOR_DEBUG=1. With --json the error also goes to stdout as `{"error":{…}}`.
 */
export function reportError(error: unknown, json: boolean, sink: ErrorSink = processSink): number {
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
  if (process.env.COORDINATOR_DEBUG === '1') {
    // An AppError's own stack says nothing; the unexpected failure it wraps (if any) might.
    const unexpected = error instanceof AppError ? error.cause : error;
    if (unexpected instanceof Error && unexpected.stack) sink.stderr(`${unexpected.stack}\n`);
  }
  if (json) sink.stdout(`${JSON.stringify({ error: shape })}\n`);
  return 1;
}
