import type { Command } from 'commander';
import { MEMORY_CONTENT_TYPES } from '../../../shared/enums';
import type { Core } from '../../app/core';
import { embedderConfigFromName } from '../../memory/embedders/config';
import { resolveRef } from '../resolve';
import { withCore } from '../context';
import { plural, shortId } from '../output';

/** The CLI reads the provider key and server from the environment (docs/security.md, "Secrets": never from files). */
const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v && v.trim() !== '' ? v : undefined;
};

function useEnvironmentKey(core: Core): void {
  core.memory.useApiKey(() => env('OPENAI_API_KEY'));
}

/** Embeds what is pending; a failing provider is reported, and search still answers by words. */
export async function indexPending(core: Core): Promise<void> {
  useEnvironmentKey(core);
  const before = core.memory.status();
  const result = await core.memory.drain();
  if (result.error && before.pending > 0) process.stderr.write(`warning: ${before.pending - result.embedded} memories are not embedded yet: ${result.error}\n`);
}

export function registerMemoryCommands(program: Command): void {
  const memory = program.command('memory').description('semantic memory: free notes, indexing and the embedding model');

  memory
    .command('add')
    .description('remember a free note (searchable at once)')
    .requiredOption('--text <text>', 'the note (required)')
    .option('--type <type>', `kind of memory: ${MEMORY_CONTENT_TYPES.join(', ')} (default note)`)
    .action((opts: { text: string; type?: string }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const added = core.memory.addNote({ text: opts.text, type: opts.type });
        await indexPending(core);
        if (out.json) return out.data(added);
        out.line(`Remembered ${added.contentType} ${shortId(added.id)}${added.keywords.length > 0 ? ` (keywords: ${added.keywords.join(', ')})` : ''}`);
      }),
    );

  memory
    .command('reindex')
    .description('bring memory up to date with tasks, comments and projects and re-embed; --model switches the embedding model')
    .option('--model <name>', '"local" (bundled, offline) or a model of the OpenAI-compatible server at $OPENAI_BASE_URL, e.g. text-embedding-3-small')
    .action((opts: { model?: string }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        useEnvironmentKey(core);
        const model = opts.model === undefined ? undefined : embedderConfigFromName(opts.model, env('OPENAI_BASE_URL'));
        const tty = process.stderr.isTTY && !out.json;
        const unsubscribe = core.memory.onProgress((p) => {
          if (tty) process.stderr.write(`\rembedding with ${p.model}: ${p.indexed}/${p.total}  `);
        });
        const report = await core.memory.reindex({ model }).finally(unsubscribe);
        if (tty) process.stderr.write('\n');
        const status = core.memory.status();
        if (out.json) return out.data({ ...report, status });
        out.line(`Model ${status.model}: ${status.indexed}/${status.total} memories embedded, ${plural(report.sourcesWritten, 'memory row')} refreshed from sources.`);
        if (report.result?.error) out.line(`Embedding stopped: ${report.result.error} (${plural(status.pending, 'memory', 'memories')} will be retried).`);
      }),
    );

  memory
    .command('status')
    .description('how much of memory is embedded with the current model')
    .action((_opts: unknown, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const status = core.memory.status();
        if (out.json) return out.data(status);
        out.line(`Model ${status.model}: ${status.indexed}/${status.total} embedded, ${status.pending} pending, ${status.failed} failed${status.lastError ? ` (last error: ${status.lastError})` : ''}`);
      }),
    );

  memory
    .command('open')
    .description('record that a memory was used (access count) and print its source')
    .argument('<id>', 'memory id: the whole UUID or an unambiguous part of ≥ 8 characters')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const opened = core.memory.open(resolveRef(core, 'memory', id));
        if (out.json) return out.data(opened);
        out.line(opened.sourceTable ? `${opened.sourceTable} ${opened.sourceId ?? ''}` : `note ${opened.id}`);
      }),
    );
}
