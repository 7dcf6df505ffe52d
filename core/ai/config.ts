import OpenAI from 'openai';
import { z } from 'zod';
import { parseInput } from '../common/errors';

/** Which OpenAI-compatible server answers, and how patiently. */
export const aiConfigSchema = z.object({
  /** Not needed by most local servers (Ollama, llama.cpp); required by OpenAI. */
  apiKey: z.string().max(500).optional(),
  /** e.g. http://127.0.0.1:11434/v1 for Ollama; absent means OpenAI. */
  baseURL: z.string().url().optional(),
  model: z.string().min(1).max(200).default('gpt-4o-mini'),
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
});
export type AiConfigInput = z.input<typeof aiConfigSchema>;
export type AiConfig = z.output<typeof aiConfigSchema>;

export const parseAiConfig = (raw: AiConfigInput): AiConfig => parseInput(aiConfigSchema, raw, 'AI settings');

/** The CLI's configuration: OPENAI_API_KEY, OPENAI_BASE_URL, COORDINATOR_AI_MODEL (and COORDINATOR_AI_TIMEOUT_MS). */
export function aiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AiConfig {
  return parseAiConfig({
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(env.COORDINATOR_AI_MODEL ? { model: env.COORDINATOR_AI_MODEL } : {}),
    ...(env.COORDINATOR_AI_TIMEOUT_MS ? { timeoutMs: Number(env.COORDINATOR_AI_TIMEOUT_MS) } : {}),
  });
}

/**
 * The one way to build the chat client from a configuration. The client library's own logging is
 * off: its parse messages would reach the terminal and the log; failures surface as errors instead.
 */
export function createChatClient(config: AiConfig): OpenAI {
  return new OpenAI({ apiKey: config.apiKey ?? 'not-needed', baseURL: config.baseURL, timeout: config.timeoutMs, maxRetries: config.maxRetries, logLevel: 'off' });
}
