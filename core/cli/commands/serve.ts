import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isTlsMode, TLS_MODES } from '../../../shared/settings';
import { AppError } from '../../common/errors';

const SECRET_ENV = 'COORDINATOR_SYNC_SECRET';

interface ServeOpts {
  listen: string;
  pg?: string;
  secretFile?: string;
  poolMax: string;
  readUrl?: string;
  statementTimeout: string;
  requestTimeout: string;
  trustProxy?: string;
  sslmode?: string;
  allowPlaintextPassword?: boolean;
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port > 65_535) throw new AppError('VALIDATION', '--listen must be HOST:PORT, e.g. 127.0.0.1:8787');
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/** A duration flag in seconds (fractions allowed), as milliseconds. */
function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.001 || n > 86_400) throw new AppError('VALIDATION', `${flag} must be a number of seconds from 0.001 to 86400`);
  return Math.round(n * 1000);
}

/** The token secret, from a file (its first line) or the environment; it is never printed or logged. */
function readSecret(opts: ServeOpts): string {
  if (opts.secretFile) {
    try {
      return readFileSync(opts.secretFile, 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
    } catch {
      throw new AppError('VALIDATION', `Cannot read the token secret file ${opts.secretFile}`);
    }
  }
  const secret = process.env[SECRET_ENV];
  if (!secret) throw new AppError('VALIDATION', `Give the token secret with --secret-file PATH or ${SECRET_ENV} (at least 32 bytes; every instance behind one balancer uses the same)`);
  return secret;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run the sync service: laptops sync over HTTPS through it instead of logging in to PostgreSQL (docs/sync-service.md)')
    .option('--listen <host:port>', 'address to listen on (put a TLS reverse proxy in front for other machines)', '127.0.0.1:8787')
    .option('--pg <url>', "the service's own PostgreSQL login, a member of coordinator_service (or COORDINATOR_PG_URL)")
    .option('--secret-file <path>', `file holding the token secret (or ${SECRET_ENV})`)
    .option('--pool-max <n>', 'PostgreSQL connections this instance uses at most', '10')
    .option('--read-url <url>', "a streaming standby that serves pulls once it has replayed what the laptop has seen (the service's login; pushes stay on --pg)")
    .option('--statement-timeout <seconds>', 'longest one statement of a request may run; beyond it the request is stopped and answered 503 (retried by the laptop)', '30')
    .option('--request-timeout <seconds>', 'longest a client may take to send its whole request before it is cut off (408)', '60')
    .option('--trust-proxy <addresses>', "comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For names the client (the sign-in limit per address needs it behind a proxy)")
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending passwords without TLS to a PostgreSQL on another machine (refused by default)')
    .action(async (opts: ServeOpts) => {
      const url = opts.pg ?? process.env.COORDINATOR_PG_URL;
      if (!url) throw new AppError('VALIDATION', 'Give the central database with --pg URL or COORDINATOR_PG_URL');
      if (opts.sslmode !== undefined && !isTlsMode(opts.sslmode)) throw new AppError('VALIDATION', `--sslmode must be one of ${TLS_MODES.join(', ')}`);
      const poolMax = Number(opts.poolMax);
      if (!Number.isInteger(poolMax) || poolMax < 1 || poolMax > 200) throw new AppError('VALIDATION', '--pool-max must be a whole number from 1 to 200');
      const { host, port } = parseListen(opts.listen);
      const { createSyncService } = await import('../../server/service');
      const service = createSyncService({
        central: { url, sslMode: opts.sslmode !== undefined && isTlsMode(opts.sslmode) ? opts.sslmode : undefined, allowPlaintextPassword: opts.allowPlaintextPassword },
        secret: readSecret(opts),
        poolMax,
        ...(opts.readUrl ? { readCentral: { url: opts.readUrl, sslMode: opts.sslmode !== undefined && isTlsMode(opts.sslmode) ? opts.sslmode : undefined, allowPlaintextPassword: opts.allowPlaintextPassword } } : {}),
        statementTimeoutMs: seconds(opts.statementTimeout, '--statement-timeout'),
        requestTimeoutMs: seconds(opts.requestTimeout, '--request-timeout'),
        trustProxy: opts.trustProxy?.split(',').map((a) => a.trim()).filter(Boolean),
      });
      const address = await service.listen(host, port);
      process.stdout.write(`Sync service listening on ${address}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await service.close();
    });
}
