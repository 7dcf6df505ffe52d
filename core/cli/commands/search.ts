import type { Command } from 'commander';
import { MEMORY_CONTENT_TYPES } from '../../../shared/enums';
import { SEARCH_MODES, type MemoryResult } from '../../../shared/memory';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { plural, shortId, table } from '../output';
import { parseList } from '../parse';
import { resolveProject } from '../resolve';
import { indexPending } from './memory';

interface SearchOptions {
  k: string;
  type?: string;
  project?: string;
  from?: string;
  to?: string;
  mode?: string;
}

function parseK(value: string): number {
  const k = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(k) || k < 1 || k > 100) {
    throw new AppError('VALIDATION', `Invalid input: --k must be a whole number from 1 to 100, not "${value}"`, [{ path: 'k', message: 'must be 1–100' }]);
  }
  return k;
}

/** The JSON shape scripts and the agent rely on, plus the memory's id, type and similarity. */
const jsonResult = (r: MemoryResult) => ({
  sourceTable: r.sourceTable,
  sourceId: r.sourceId,
  content: r.content,
  score: r.score,
  id: r.id,
  contentType: r.contentType,
  similarity: r.similarity,
  matchedBy: r.matchedBy,
});

export function registerSearchCommands(program: Command): void {
  program
    .command('search')
    .description('search semantic memory (tasks, comments, projects, notes) by meaning and by words')
    .argument('<text>', 'what to look for, in your own words')
    .option('--k <n>', 'how many results (1–100)', '10')
    .option('--type <type>', `only these kinds: ${MEMORY_CONTENT_TYPES.join(', ')} (comma-separated)`)
    .option('--project <project>', 'only memories of this project (id or name)')
    .option('--from <date>', 'only memories created on or after YYYY-MM-DD')
    .option('--to <date>', 'only memories created on or before YYYY-MM-DD')
    .option('--mode <mode>', `${SEARCH_MODES.join(' | ')} (default hybrid)`)
    .action((text: string, opts: SearchOptions, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const types = parseList(opts.type);
        const unknown = types?.filter((t) => !(MEMORY_CONTENT_TYPES as readonly string[]).includes(t)) ?? [];
        if (unknown.length > 0) {
          throw new AppError('VALIDATION', `Invalid input: --type "${unknown.join('", "')}" is not one of ${MEMORY_CONTENT_TYPES.join(', ')}`, [
            { path: 'types', message: `must be one of ${MEMORY_CONTENT_TYPES.join(', ')}` },
          ]);
        }
        // Each CLI run is its own process: index what changed since the last one before searching.
        await indexPending(core);
        const found = await core.memory.search({
          query: text,
          k: parseK(opts.k),
          types,
          projectId: opts.project === undefined ? undefined : resolveProject(core, opts.project),
          from: opts.from,
          to: opts.to,
          mode: opts.mode,
        });
        if (found.degraded) process.stderr.write(`warning: ${found.degraded}\n`);
        if (out.json) return out.data(found.results.map(jsonResult));
        if (found.results.length === 0) return out.line('No matching memories.');
        out.line(
          table(
            [{ header: 'SCORE', align: 'right' }, { header: 'TYPE' }, { header: 'SOURCE' }, { header: 'TEXT', max: 90 }],
            found.results.map((r) => [r.score.toFixed(4), r.contentType, r.sourceId ? `${r.sourceTable ?? ''} ${shortId(r.sourceId)}` : `note ${shortId(r.id)}`, r.content]),
          ),
        );
        out.line(`\n${plural(found.results.length, 'result')}`);
      }),
    );
}
