import { z } from 'zod';
import { createLocalEmbedder, LOCAL_MODEL } from './local';
import { createOpenAiEmbedder, openAiEmbedderConfig } from './openai';
import type { Embedder } from './types';

export const localEmbedderConfig = z.strictObject({ provider: z.literal('local') });
export const embedderConfigSchema = z.discriminatedUnion('provider', [localEmbedderConfig, openAiEmbedderConfig]);
export type EmbedderConfig = z.infer<typeof embedderConfigSchema>;

export const DEFAULT_EMBEDDER: EmbedderConfig = { provider: 'local' };

export function createEmbedder(config: EmbedderConfig, apiKey?: string): Embedder {
  return config.provider === 'local' ? createLocalEmbedder() : createOpenAiEmbedder(config, apiKey);
}

/**
 * `--model NAME` on the command line: `local` (or the local model's recorded name) is the bundled
 * model; anything else is a model of the OpenAI-compatible server at `baseURL`
 * (`openai/text-embedding-3-small` and `text-embedding-3-small` mean the same).
 */
export function embedderConfigFromName(name: string, baseURL?: string): EmbedderConfig {
  const trimmed = name.trim();
  if (trimmed === 'local' || trimmed === LOCAL_MODEL) return { provider: 'local' };
  const bare = trimmed.replace(/^openai\//, '');
  const at = /^(.*)@(\d+)$/.exec(bare);
  return openAiEmbedderConfig.parse({
    provider: 'openai',
    model: at ? at[1] : bare,
    ...(at ? { dimensions: Number(at[2]) } : {}),
    ...(baseURL ? { baseURL } : {}),
  });
}
