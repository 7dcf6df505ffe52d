import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorScript } from '../../support/cli';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/openai-embeddings-server';

/** `coordinator search` and `coordinator memory …` as child processes on a temp database. */

let dir: string;
let db: string;
let server: FakeOpenAi;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['COORDINATOR_DB', 'COORDINATOR_DEBUG', 'COORDINATOR_LOG_LEVEL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) if (!(key in env)) delete childEnv[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [coordinatorScript(), '--db', db, ...args], { env: childEnv, cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
const json = <T>(text: string): T => JSON.parse(text) as T;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-memory-'));
  db = path.join(dir, 'c.db');
  server = await startFakeOpenAi({ dims: 32 });
  expect((await cli(['init'])).code).toBe(0);
  expect((await cli(['task', 'add', '--title', 'Book a removal company for the relocation'])).code).toBe(0);
  expect((await cli(['task', 'add', '--title', 'Renew the domain name before it expires'])).code).toBe(0);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Hit = { sourceTable: string | null; sourceId: string | null; content: string; score: number; contentType: string };

describe('coordinator search / memory', () => {
  it('search --json prints sourceTable, sourceId, content and score, best first', async () => {
    const run = await cli(['search', 'hire movers', '--k', '1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const hits = json<Hit[]>(run.stdout);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ sourceTable: 'tasks', content: 'Book a removal company for the relocation', contentType: 'task' });
    expect(typeof hits[0]?.score).toBe('number');
    expect(hits[0]?.sourceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('memory add --json stores a note that search --type note finds', async () => {
    const add = await cli(['memory', 'add', '--text', 'Parking garage code is 4711', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const note = json<{ id: string; contentType: string; keywords: string[] }>(add.stdout);
    expect(note).toMatchObject({ contentType: 'note' });
    expect(note.keywords).toContain('parking');
    const run = await cli(['search', 'garage code', '--type', 'note', '--json']);
    const hits = json<Hit[]>(run.stdout);
    expect(hits.map((h) => h.contentType)).toEqual(['note']);
    expect(hits[0]).toMatchObject({ sourceTable: null, sourceId: null, content: 'Parking garage code is 4711' });
  });

  it('bad input: unknown --type, bad --k, empty query, empty note — one clear error line, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['search', 'x', '--type', 'email', '--json'], /--type "email" is not one of task, comment, project, note/],
      [['search', 'x', '--k', 'ten', '--json'], /--k must be a whole number/],
      [['search', '   ', '--json'], /Invalid search: query is required/],
      [['memory', 'add', '--text', '', '--json'], /Invalid note: text is required/],
      [['search', '"NEAR * -', '--json'], /^$/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      if (message.source === '^$') {
        expect(run.code, run.stderr).toBe(0);
        expect(Array.isArray(json(run.stdout))).toBe(true);
        continue;
      }
      expect(run.code, args.join(' ')).toBe(1);
      expect(json<{ error: { message: string } }>(run.stdout).error.message).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('memory reindex --model switches to an OpenAI-compatible server and back to local', async () => {
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-cli' };
    const run = await cli(['memory', 'reindex', '--model', 'text-embedding-3-small', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(json<{ model: string; status: { indexed: number; total: number } }>(run.stdout)).toMatchObject({
      model: 'openai/text-embedding-3-small',
      status: { indexed: 3, total: 3 },
    });
    expect(server.requests.every((r) => r.model === 'text-embedding-3-small' && r.auth === 'Bearer sk-cli')).toBe(true);
    const status = json<{ model: string }>((await cli(['memory', 'status', '--json'], env)).stdout);
    expect(status.model).toBe('openai/text-embedding-3-small');
    const back = await cli(['memory', 'reindex', '--model', 'local', '--json']);
    expect(json<{ model: string; status: { indexed: number } }>(back.stdout)).toMatchObject({ model: 'local/use-lite-en-512', status: { indexed: 3 } });
  });
});
