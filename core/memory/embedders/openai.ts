import OpenAI from 'openai';
import { z } from 'zod';
import { AppError } from '../../common/errors';
import { checkVector } from '../vectors';
import { linearCalibration, type Embedder } from './types';

export const openAiEmbedderConfig = z.strictObject({
  provider: z.literal('openai'),
  /** Any OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM) or OpenAI itself. */
  baseURL: z.url().optional(),
  model: z.string().trim().min(1).max(200),
  /** Asks models that support it (text-embedding-3-*) for shorter vectors. */
  dimensions: z.number().int().min(8).max(8192).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});
export type OpenAiEmbedderConfig = z.infer<typeof openAiEmbedderConfig>;

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
});

/** The recorded model name: provider-qualified so a local model of the same name never mixes. */
export const openAiModelName = (config: OpenAiEmbedderConfig): string =>
  `openai/${config.model}${config.dimensions ? `@${config.dimensions}` : ''}`;

/**
 * Embeddings from an OpenAI-compatible endpoint through the `openai` client (its own retries for
 * 429/5xx are kept short; the indexer's backoff handles a provider that stays down).
 */
export function createOpenAiEmbedder(config: OpenAiEmbedderConfig, apiKey: string | undefined): Embedder {
  const client = new OpenAI({
    apiKey: apiKey ?? 'not-needed',
    baseURL: config.baseURL,
    timeout: config.timeoutMs ?? 30_000,
    maxRetries: 1,
  });
  let dims = config.dimensions ?? null;

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    if (texts.length === 0) return [];
    let raw: unknown;
    try {
      raw = await client.embeddings.create({
        model: config.model,
        input: texts.map((t) => (t.trim() === '' ? ' ' : t)),
        encoding_format: 'float',
        ...(config.dimensions ? { dimensions: config.dimensions } : {}),
      });
    } catch (error) {
      const status = error instanceof OpenAI.APIError ? ` (HTTP ${String(error.status ?? 'no response')})` : '';
      throw new AppError('UNAVAILABLE', `The embedding provider failed${status}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) throw new AppError('UNAVAILABLE', 'The embedding provider returned a malformed response');
    const byIndex = new Map(parsed.data.data.map((d) => [d.index, d.embedding]));
    if (byIndex.size !== texts.length) {
      throw new AppError('UNAVAILABLE', `The embedding provider returned ${byIndex.size} vectors for ${texts.length} texts`);
    }
    return texts.map((_, i) => {
      const vector = byIndex.get(i);
      if (!vector) throw new AppError('UNAVAILABLE', `The embedding provider returned no vector for text ${i}`);
      dims ??= vector.length;
      return checkVector(vector, dims, 'provider embedding');
    });
  };

  return {
    model: openAiModelName(config),
    async dimensions() {
      if (dims === null) await embed(['dimension probe']);
      if (dims === null) throw new AppError('UNAVAILABLE', 'The embedding provider did not report a dimension');
      return dims;
    },
    embed,
    // text-embedding-3-* put unrelated English text near 0.1 and paraphrases near 0.6.
    calibrate: linearCalibration(0.1, 0.55),
  };
}
