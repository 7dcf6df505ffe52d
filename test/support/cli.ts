import { execFile } from 'node:child_process';
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
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  try {
    const running = exec(process.execPath, [coordinatorScript(), ...args], { env: childEnv, timeout: timeoutMs });
    // What a person would type or pipe in (a password on stdin); otherwise stdin is left as it was.
    if (input !== undefined) running.child.stdin?.end(input);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
