import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { configureLogger } from '../../core/common/logger';

/**
 * The main process logs to `<logs>/main.log` (and to stderr when run from a checkout). The core's
 * logger already redacts secret-looking values before a line reaches the sink.
 */
export function logToFile(logsDir: string, alsoStderr: boolean): () => void {
  mkdirSync(logsDir, { recursive: true });
  const stream = createWriteStream(path.join(logsDir, 'main.log'), { flags: 'a' });
  stream.on('error', () => {
    /* logging must never crash the app */
  });
  configureLogger({
    level: (process.env.COORDINATOR_LOG_LEVEL as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'info',
    sink: (line) => {
      stream.write(`${line}\n`);
      if (alsoStderr) process.stderr.write(`${line}\n`);
    },
  });
  return () => {
    configureLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
    stream.end();
  };
}
