import { createLocalEmbedder } from '../../core/memory/embedders/local';
import { EVAL_ITEMS, EVAL_QUERIES } from './memory-eval-set';
import { DEMO_PROJECTS } from '../../core/demo/demo-data';

/** A seeded PRNG so every run measures the same vectors. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
}

/**
 * Realistic 512-dimension vectors at scale without embedding 100k texts: real local-model
 * embeddings of ~300 coordinator texts are the anchors (their anisotropy and non-zero mean are
 * what makes sign quantisation hard), and each synthetic memory is a random mix of two or three
 * anchors plus noise, normalised. Queries are drawn the same way and are not in the set.
 */
export async function realisticVectors(count: number, queries: number, seed = 7): Promise<{ data: Float32Array[]; queries: Float32Array[] }> {
  const texts = [
    ...EVAL_ITEMS.map((i) => i.text),
    ...EVAL_QUERIES.map((q) => q.query),
    ...DEMO_PROJECTS.flatMap((p) => [p.name, p.description, ...p.tasks]),
  ];
  const anchors = await createLocalEmbedder().embed(texts);
  const next = rng(seed);
  const make = (): Float32Array => {
    const v = new Float32Array(512);
    const parts = 2 + Math.floor(next() * 2);
    for (let p = 0; p < parts; p += 1) {
      const a = anchors[Math.floor(next() * anchors.length)] as Float32Array;
      const w = 0.3 + next();
      for (let i = 0; i < 512; i += 1) v[i] = (v[i] ?? 0) + w * (a[i] ?? 0);
    }
    let norm = 0;
    for (let i = 0; i < 512; i += 1) {
      v[i] = (v[i] ?? 0) + 0.02 * gaussian(next);
      norm += (v[i] ?? 0) ** 2;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < 512; i += 1) v[i] = (v[i] ?? 0) * scale;
    return v;
  };
  return { data: Array.from({ length: count }, make), queries: Array.from({ length: queries }, make) };
}
