/**
 * The one logger. Structured lines to stderr; the desktop app may redirect it to a file.
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
