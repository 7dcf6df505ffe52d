/**
 * One interface for every embedding provider. `model` is the name recorded on memory rows
 * (`embedding_model`) and the partition the vectors live in: two embedders with different names
 * never have their vectors compared.
 */
export interface Embedder {
  readonly model: string;
  /** Known up front for the local model; learned from the first response for a remote one. */
  dimensions(): Promise<number>;
  /** One vector per text, in order. Throws on failure; the indexer retries later. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Maps this model's cosine similarity onto a model-independent 0–1 scale, on which the seed's
   * per-memory `similarity_threshold` (default 0.7) is compared. Memory rows sync between replicas
   * that may use different models, so a threshold stored on a row cannot be a raw cosine.
   */
  calibrate(cosine: number): number;
  close?(): Promise<void> | void;
}

/** A linear calibration: `unrelated` maps to 0, `paraphrase` to 1 (clamped). */
export function linearCalibration(unrelated: number, paraphrase: number): (cosine: number) => number {
  return (cosine) => Math.min(1, Math.max(0, (cosine - unrelated) / (paraphrase - unrelated)));
}
