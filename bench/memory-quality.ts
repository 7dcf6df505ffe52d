import { SEARCH_MODES } from '../shared/memory';
import { round, type Benchmark } from './harness';
import { EVAL_ITEMS, EVAL_QUERIES } from './support/memory-eval-set';
import { evalCore } from './support/memory-fixture';

type Mode = (typeof SEARCH_MODES)[number];

/**
 * Retrieval quality on paraphrased queries (bench/support/memory-eval-set.ts: 66 task and comment
 * texts, 40 queries in other words): recall@5 and MRR for vector-only, FTS-only (BM25, the
 * baseline) and hybrid (reciprocal rank fusion), through the real search path with the bundled
 * local model and the seed's default similarity_threshold (0.7) in force.
 */
export const memoryQuality: Benchmark = {
  name: 'memory-quality',
  description: `recall@5 / MRR on ${EVAL_QUERIES.length} paraphrased queries over ${EVAL_ITEMS.length} texts: vector, FTS (baseline), hybrid`,
  async run() {
    const fixture = await evalCore();
    const { core, keyOf } = fixture;
    try {
      const scores = {} as Record<Mode, { recall: number; mrr: number; hit: number }>;
      const misses: string[] = [];
      for (const mode of ['vector', 'text', 'hybrid'] as const) {
        let recall = 0;
        let mrr = 0;
        let hit = 0;
        for (const q of EVAL_QUERIES) {
          const { results } = await core.memory.search({ query: q.query, k: 5, mode });
          const keys = results.map((r) => keyOf.get(r.sourceId ?? '') ?? '?');
          const found = q.relevant.filter((k) => keys.includes(k)).length;
          recall += found / q.relevant.length;
          if (found > 0) hit += 1;
          const first = keys.findIndex((k) => q.relevant.includes(k));
          mrr += first >= 0 ? 1 / (first + 1) : 0;
          if (mode === 'hybrid' && found === 0) misses.push(`${q.query} → ${keys.slice(0, 3).join(', ')}`);
        }
        scores[mode] = { recall: recall / EVAL_QUERIES.length, mrr: mrr / EVAL_QUERIES.length, hit: hit / EVAL_QUERIES.length };
      }

      // The raw cosine distribution behind the local model's calibration (text-embedding.ts).
      const items = EVAL_ITEMS.map((i) => i.text);
      const queries = EVAL_QUERIES.map((q) => q.query);
      const vecs = await (async () => {
        const { createLocalEmbedder } = await import('../core/memory/embedders/local');
        const e = createLocalEmbedder();
        return { items: await e.embed(items), queries: await e.embed(queries) };
      })();
      const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
      const relevant: number[] = [];
      const unrelated: number[] = [];
      EVAL_QUERIES.forEach((q, qi) => {
        EVAL_ITEMS.forEach((item, ii) => {
          const c = cos(vecs.queries[qi] as Float32Array, vecs.items[ii] as Float32Array);
          (q.relevant.includes(item.key) ? relevant : unrelated).push(c);
        });
      });
      const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * (xs.length - 1))] ?? Number.NaN;

      const table = (['vector', 'text', 'hybrid'] as const).map((mode) => ({
        label: `${mode === 'text' ? 'FTS5 BM25' : mode} recall@5 / MRR / any-hit@5`,
        value: `${scores[mode].recall.toFixed(3)} / ${scores[mode].mrr.toFixed(3)} / ${scores[mode].hit.toFixed(3)}`,
        baseline: mode === 'hybrid' ? `${scores.text.recall.toFixed(3)} / ${scores.text.mrr.toFixed(3)}` : '',
        note: mode === 'hybrid' ? 'aim recall@5 ≥ 0.9' : '',
      }));
      table.push({
        label: 'cosine relevant p10/p50 vs unrelated p50/p95',
        value: `${pct(relevant, 10).toFixed(3)}/${pct(relevant, 50).toFixed(3)} vs ${pct(unrelated, 50).toFixed(3)}/${pct(unrelated, 95).toFixed(3)}`,
        baseline: '',
        note: 'local model calibration input',
      });
      for (const miss of misses) table.push({ label: 'hybrid miss', value: miss, baseline: '', note: '' });
      return {
        name: 'memory-quality',
        metrics: {
          hybridRecallAt5: round(scores.hybrid.recall),
          hybridMrr: round(scores.hybrid.mrr),
          vectorRecallAt5: round(scores.vector.recall),
          vectorMrr: round(scores.vector.mrr),
          ftsRecallAt5: round(scores.text.recall),
          ftsMrr: round(scores.text.mrr),
        },
        baseline: { ftsRecallAt5: round(scores.text.recall), ftsMrr: round(scores.text.mrr) },
        // Higher is better here: hybrid recall@5 over the BM25 baseline's.
        ratio: round(scores.hybrid.recall / Math.max(1e-9, scores.text.recall)),
        table,
      };
    } finally {
      fixture.dispose();
    }
  },
};
