/**
 * The benchmark harness: each benchmark measures the real path and a baseline in the same run,
 * prints a readable table, and ends with one JSON line `{"name","metrics","baseline","ratio"}`.
 */
export interface BenchOptions {
  quick: boolean;
}

export interface BenchResult {
  name: string;
  /** Figures of the path under test. */
  metrics: Record<string, number>;
  /** The same figures for the baseline measured in the same run. */
  baseline: Record<string, number>;
  /** Headline ratio (path ÷ baseline; lower is better unless the bench says otherwise). */
  ratio: number;
  /** Rows for the human-readable table. */
  table: { label: string; value: string; baseline?: string; note?: string }[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchResult> | BenchResult;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] as number;
}

export function summarise(samplesMs: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

export const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

export function printResult(result: BenchResult): void {
  const rows = result.table.map((r) => [r.label, r.value, r.baseline ?? '', r.note ?? '']);
  const headers = ['measure', result.name, 'baseline', 'note'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(JSON.stringify({ name: result.name, metrics: result.metrics, baseline: result.baseline, ratio: result.ratio }));
}
