import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The one logger. Structured lines to stderr until configured otherwise: the desktop app writes
 * them to `<logs>/main.log`, the CLI to a file beside the database (stderr only with --debug).
 * Values under keys that look secret are redacted before they are written.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization/i;

let threshold: LogLevel = (process.env.COORDINATOR_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

export function configureLogger(options: { level?: LogLevel; sink?: (line: string) => void }): void {
  if (options.level) threshold = options.level;
  if (options.sink) sink = options.sink;
}

/**
 * A sink that appends each line to a file, creating its folder with the first line (so a command
 * that logs nothing leaves nothing behind). Synchronous, so the last lines before an exit are kept;
 * a log that cannot be written is dropped rather than failing the command that logged.
 */
export function appendingFileSink(file: string): (line: string) => void {
  let ready = false;
  return (line) => {
    try {
      if (!ready) mkdirSync(path.dirname(file), { recursive: true });
      ready = true;
      appendFileSync(file, `${line}\n`, { mode: 0o600 });
    } catch {
      // logging must never break a command
    }
  };
}

export function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '***' : redact(v)]));
  }
  return value;
}

function write(level: LogLevel, scope: string, message: string, data?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const entry = { t: new Date().toISOString(), level, scope, msg: redact(message), ...(data ? { data: redact(data) } : {}) };
  sink(JSON.stringify(entry));
}

export function createLogger(scope: string) {
  return {
    debug: (msg: string, data?: Record<string, unknown>) => write('debug', scope, msg, data),
    info: (msg: string, data?: Record<string, unknown>) => write('info', scope, msg, data),
    warn: (msg: string, data?: Record<string, unknown>) => write('warn', scope, msg, data),
    error: (msg: string, data?: Record<string, unknown>) => write('error', scope, msg, data),
  };
}
