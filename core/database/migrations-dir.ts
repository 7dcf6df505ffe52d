import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the project's `migrations/` folder by walking up from this module. Works from the
 * TypeScript sources (tests, CLI), from the bundled main process (dist-electron/) and from inside
 * the packaged app.asar, where Electron's fs reads archived files transparently.
 */
export function findMigrationsDir(dialect: 'sqlite' | 'pg'): string {
  const override = process.env.COORDINATOR_MIGRATIONS_DIR;
  if (override) return path.join(override, dialect);
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let i = 0; i < 8; i += 1) {
    const candidate = path.join(dir, 'migrations', dialect, 'meta', '_journal.json');
    if (existsSync(candidate)) return path.join(dir, 'migrations', dialect);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Cannot find migrations/${dialect} above ${here}`);
}
