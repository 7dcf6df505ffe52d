import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCore, type Core } from '../../core/app/core';
import type { MemoryOptions } from '../../core/memory/memory';
import { EVAL_ITEMS } from './memory-eval-set';

/** A real core on a temp file holding the evaluation set as real tasks and comments. */
export async function evalCore(memory?: MemoryOptions): Promise<{ core: Core; idOf: Map<string, string>; keyOf: Map<string, string>; dispose(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-bench-memory-'));
  const core = openCore({ dbFile: path.join(dir, 'bench.db'), memory });
  const user = core.users.create({ username: 'bench', email: 'bench@example.com', fullName: 'Bench', role: 'admin' });
  core.session.setCurrentUser(user.id);
  const holder = core.tasks.create({ title: 'Team discussion' });
  const idOf = new Map<string, string>();
  for (const item of EVAL_ITEMS) {
    if (item.type === 'task') {
      const [title, ...rest] = item.text.split('\n');
      idOf.set(item.key, core.tasks.create({ title: title ?? item.text, description: rest.join('\n') || null }).id);
    } else {
      idOf.set(item.key, core.comments.add({ taskId: holder.id, content: item.text }).id);
    }
  }
  await core.memory.drain();
  const keyOf = new Map([...idOf.entries()].map(([k, v]) => [v, k]));
  return {
    core,
    idOf,
    keyOf,
    dispose() {
      core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
