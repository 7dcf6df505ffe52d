import { printResult, type Benchmark } from './harness';
import { memoryIndex } from './memory-index';
import { memoryBootstrap } from './memory-bootstrap';
import { memoryQuality } from './memory-quality';
import { memorySearch } from './memory-search';
import { localWrite } from './local-write';
import { syncBootstrap } from './sync-bootstrap';
import { syncIncremental } from './sync-incremental';
import { syncBacklog } from './sync-backlog';
import { crmReconcile } from './crm-reconcile';
import { uiBoard } from './ui-board';
import { insightsBench } from './insights';

/** Every benchmark, by name. `npm run bench -- <name> [--quick]`; no name runs them all. */
const BENCHMARKS: Benchmark[] = [localWrite, syncBootstrap, syncIncremental, syncBacklog, crmReconcile, memoryQuality, memorySearch, memoryIndex, memoryBootstrap, uiBoard, insightsBench];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`error: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    process.exit(1);
  }
  const selected = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  for (const bench of selected) {
    console.log(`\n# ${bench.name}: ${bench.description}${quick ? ' (quick)' : ''}`);
    printResult(await bench.run({ quick }));
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
