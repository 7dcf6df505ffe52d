import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const exec = promisify(execFile);

/** The shipped `coordinator` bin: tsx running core/cli/main.ts from source. */
export const SHIPPED_BIN = path.resolve('bin/coordinator.mjs');

/**
 * The same CLI bundled once for this test run (test/support/cli-bundle.ts): what the tests spawn,
 * as `node <this> …args`, because a start costs a fraction of the shipped bin's.
 */
export function coordinatorScript(): string {
  return inject('testBundles').coordinator;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `coordinator` CLI as a child process, the way a user does. Environment variables set to
 * undefined are removed, so a test never inherits a database URL or AI server from the shell.
 * `input` is written to the child's stdin, which is then closed.
 */
export async function runCoordinator(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000, input?: string): Promise<CliRun> {
  try {
    const running = exec(process.execPath, [coordinatorScript(), ...args], { env: childEnv(env), timeout: timeoutMs });
    // What a person would type or pipe in (a password on stdin); otherwise stdin is left as it was.
    if (input !== undefined) running.child.stdin?.end(input);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Runs a command that goes on until stopped (`sync --watch`) and stops it with SIGTERM, as Ctrl-C
 * or a service manager would, once `enough` holds for its stderr so far (or after `timeoutMs`).
 */
export function runCoordinatorUntil(args: string[], env: Record<string, string | undefined>, enough: (stderr: string) => boolean, timeoutMs: number): Promise<CliRun> {
  const child = spawn(process.execPath, [coordinatorScript(), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  // Once: a second SIGTERM may cut short the shutdown the first one started.
  const stop = () => {
    if (!stopped) stopped = child.kill('SIGTERM');
  };
  const timer = setTimeout(stop, timeoutMs);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (enough(stderr)) stop();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The environment plus `env`, without the variables `env` sets to undefined. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged;
}
