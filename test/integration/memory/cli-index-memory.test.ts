import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import { embedderConfigFromName } from '../../../core/memory/embedders/config';
import { runCoordinator } from '../../support/cli';
import { tempCentral } from '../../support/pg';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/openai-embeddings-server';

/** `coordinator sync --index-memory`: the headless indexer that fills the central vector exchange. */

let central: Awaited<ReturnType<typeof tempCentral>>;
let server: FakeOpenAi;
let dir: string;
beforeEach(async () => {
  central = await tempCentral();
  server = await startFakeOpenAi({ dims: 64 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-cli-index-'));
});
afterEach(async () => {
  await server.close();
  await central.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A replica file on the test double's model, optionally with a few tasks. */
async function replicaFile(name: string, tasks: string[]): Promise<string> {
  const file = path.join(dir, name);
  const core = openCore({ dbFile: file });
  try {
    core.memory.useApiKey(() => 'sk-test');
    await core.memory.reindex({ model: embedderConfigFromName('openai/test-embed', server.baseURL) });
    if (tasks.length > 0) {
      const user = core.users.create({ username: 'ops', email: 'ops@example.com', fullName: 'Ops', role: 'admin' });
      core.session.setCurrentUser(user.id);
      for (const title of tasks) core.tasks.create({ title });
    }
  } finally {
    core.close();
  }
  return file;
}

describe('coordinator sync --index-memory', () => {
  it('embeds and shares what the exchange lacks; a second replica then takes the vectors instead of embedding', async () => {
    const server1 = await replicaFile('server.db', ['Renew the parking permits', 'Translate the safety manual', 'Book the venue']);
    const env = { OPENAI_API_KEY: 'sk-test' };
    const first = await runCoordinator(['--db', server1, 'sync', '--upload', '--pg', central.url, '--once', '--index-memory', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const firstOut = JSON.parse(first.stdout) as { memory: { model: string; adopted: number; embedded: number; error: string | null } };
    expect(firstOut.memory).toMatchObject({ model: 'openai/test-embed', adopted: 0, error: null });
    expect(firstOut.memory.embedded).toBe(3);
    const { rows } = await central.query<{ n: number }>(`SELECT count(*)::int AS n FROM memory_vectors WHERE model = 'openai/test-embed'`);
    expect(rows[0]?.n).toBe(3);

    const laptop = await replicaFile('laptop.db', []);
    const second = await runCoordinator(['--db', laptop, 'sync', '--upload', '--pg', central.url, '--once', '--index-memory', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { memory: unknown }).memory).toMatchObject({ adopted: 3, embedded: 0, error: null });
  });
});
