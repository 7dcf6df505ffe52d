import type { AskResult } from '../../shared/agent';
import type { Core } from '../app/core';
import { createLogger } from '../common/logger';
import { createAgent } from './agent';
import { parseAiConfig, type AiConfigInput } from '../ai/config';

const log = createLogger('assistant');
const QUEUE_RETRY_MS = 60_000;

export interface AssistantDelta {
  requestId: string;
  text: string;
}

/**
 * The assistant as the desktop uses it: answers stream to the window by request id, a request can
 * be cancelled, and questions kept while offline are retried in the background (each answer then
 * arrives as a notification).
 */
export function createAssistant(core: Core, aiConfig: () => AiConfigInput | null) {
  const agent = createAgent(core, () => {
    const raw = aiConfig();
    return raw ? parseAiConfig(raw) : null;
  });
  const inFlight = new Map<string, AbortController>();
  const listeners = new Set<(d: AssistantDelta) => void>();
  let draining = false;

  const drainQueue = async () => {
    if (draining || !aiConfig() || agent.history.queued().length === 0) return;
    draining = true;
    try {
      await agent.answerQueued();
    } catch (error) {
      log.warn('queued questions could not be answered yet', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      draining = false;
    }
  };
  const timer = setInterval(() => void drainQueue(), QUEUE_RETRY_MS);
  timer.unref?.();

  return {
    agent,
    onDelta(listener: (d: AssistantDelta) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ask(input: { requestId: string; question: string; sessionId?: string; templateId?: string }): Promise<AskResult> {
      const controller = new AbortController();
      inFlight.set(input.requestId, controller);
      try {
        const { requestId, ...question } = input;
        return await agent.ask(question, {
          signal: controller.signal,
          onDelta: (text) => {
            for (const l of listeners) l({ requestId, text });
          },
        });
      } finally {
        inFlight.delete(input.requestId);
      }
    },
    cancel(requestId: string): { cancelled: boolean } {
      const c = inFlight.get(requestId);
      c?.abort();
      return { cancelled: Boolean(c) };
    },
    /** On reconnect: answer what was asked offline. */
    notifyOnline: () => void drainQueue(),
    drainQueue,
    close(): void {
      clearInterval(timer);
      for (const c of inFlight.values()) c.abort();
    },
  };
}
