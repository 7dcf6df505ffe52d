import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall, ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { ActionView, AskResult } from '../../shared/agent';
import { askInput } from '../../shared/agent';
import type { Core } from '../app/core';
import { AppError, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { insertNotification } from '../notifications/rules';
import { createLogger } from '../common/logger';
import { localDate } from '../common/time';
import { createActionsService } from './actions-service';
import { createChatClient, type AiConfig } from '../ai/config';
import { createHistory } from './history';
import { PROPOSALS, type ProposalTool } from './proposals';
import { READ_TOOLS, type ReadToolName, type ToolContext } from './read-tools';
import { SYSTEM_PROMPT } from './untrusted';

const log = createLogger('agent');
const MAX_ROUNDS = 8;
/** Between the text of two rounds of the tool loop, streamed and recorded alike. */
const ROUND_SEPARATOR = '\n\n';

const TOOL_DEFS: ChatCompletionTool[] = [
  ...Object.entries(READ_TOOLS).map(([name, t]) => ({ type: 'function' as const, function: { name, description: t.description, parameters: z.toJSONSchema(t.args) as Record<string, unknown> } })),
  ...Object.entries(PROPOSALS).map(([name, t]) => ({ type: 'function' as const, function: { name, description: t.description, parameters: z.toJSONSchema(t.args) as Record<string, unknown> } })),
];

const isRead = (name: string): name is ReadToolName => name in READ_TOOLS;
const isProposal = (name: string): name is ProposalTool => name in PROPOSALS;

/**
 * A reply from the model server that is not a usable chat completion (not a stream, cut off, chunks
 * of the wrong shape, an unknown finish). Like an outage, the question is kept and asked again later;
 * the message completes "The AI server …".
 */
class BrokenReply extends Error {}

/** The part of a streamed chunk the agent reads, checked before anything of it is used. */
const chunkSchema = z.object({
  choices: z.array(
    z.object({
      delta: z
        .object({
          content: z.string().nullish(),
          tool_calls: z
            .array(z.object({ index: z.number().int().min(0).optional(), id: z.string().nullish(), function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish() }))
            .nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
});

/** Finish reasons that mean "this is the whole turn" (some local servers say stop after tool calls). */
const COMPLETE_FINISHES = new Set(['stop', 'tool_calls', 'function_call']);

/** Error text from a server or proxy can be a whole HTML page: keep it to one short readable line. */
function oneLine(text: string, max = 160): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const UNREACHABLE = 'The AI server cannot be reached';

/**
 * Why the question should be kept and asked again later (the server is unreachable or answered
 * with something unusable), or null when the failure is one to report (timeout, key, rate limit,
 * a request the server refuses, cancellation).
 */
function keepForRetry(error: unknown): string | null {
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIUserAbortError) return null;
  if (error instanceof OpenAI.APIConnectionError) return UNREACHABLE;
  if (error instanceof BrokenReply) return `The AI server ${error.message}`;
  if (error instanceof OpenAI.InternalServerError) return `The AI server failed (${error.status}): ${oneLine(error.message.replace(/^\d{3}\s*/, ''))}`;
  // An error event inside an otherwise good stream carries no status.
  if (error instanceof OpenAI.APIError && error.status === undefined) return `The AI server reported an error while answering: ${oneLine(error.message)}`;
  return null;
}

function describe(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'The AI server did not answer in time';
  if (error instanceof OpenAI.RateLimitError) return 'The AI server is rate-limiting requests; try again shortly';
  if (error instanceof OpenAI.AuthenticationError) return 'The AI server refused the API key';
  if (error instanceof OpenAI.APIUserAbortError) return 'Cancelled';
  if (error instanceof OpenAI.APIError) return `The AI server answered with an error (${error.status ?? 'no status'}): ${oneLine(error.message, 200)}`;
  return oneLine(error instanceof Error ? error.message : String(error), 200);
}

function queryTypeOf(question: string): string {
  const q = question.toLowerCase();
  if (/overload|capacity|workload|busy/.test(q)) return 'workload';
  if (/block|stuck|waiting|risk/.test(q)) return 'blockers';
  if (/status|report|progress|summary/.test(q)) return 'status';
  if (/reassign|assign|create|add|move|change|set|remind|notify/.test(q)) return 'action';
  return 'question';
}

/**
 * The answer as it is streamed and recorded: the text of each round of the tool loop, trimmed, with
 * a blank line between rounds ("…the changes." then "Here is…" must not run together). What was
 * streamed is always exactly the recorded answer.
 */
function createTranscript(onDelta: ((text: string) => void) | undefined) {
  const rounds: string[] = [];
  let current = '';
  let heldBack = ''; // trailing whitespace, written only if more text follows in the same round
  return {
    newRound(): void {
      if (current) rounds.push(current);
      current = '';
      heldBack = '';
    },
    write: (text: string): void => {
      const chunk = current ? heldBack + text : text.trimStart();
      const body = chunk.trimEnd();
      heldBack = chunk.slice(body.length);
      if (!body) return;
      const out = !current && rounds.length > 0 ? ROUND_SEPARATOR + body : body;
      current += body;
      onDelta?.(out);
    },
    text: (): string => [...rounds, ...(current ? [current] : [])].join(ROUND_SEPARATOR),
  };
}

export interface AskOptions {
  signal?: AbortSignal;
  /** Answer text as it streams in. */
  onDelta?: (text: string) => void;
}

/**
 * The coordination agent: a tool loop over the local replica with the real `openai` client.
 * Read tools run at once; write tools only create proposals (ai_actions) a person confirms.
 */
export function createAgent(core: Core, config: () => AiConfig | null, hooks: { beforeLocalSearch?: () => Promise<void> } = {}) {
  const beforeSearch = async () => {
    await hooks.beforeLocalSearch?.();
  };
  const actions = createActionsService(core);
  const history = createHistory(core);
  history.ensureTemplates();

  const client = () => {
    const c = config();
    if (!c) throw new AppError('UNAVAILABLE', 'No AI provider is configured (Settings → AI, or OPENAI_BASE_URL / OPENAI_API_KEY)');
    return { c, api: createChatClient(c) };
  };

  /**
   * One streamed completion, with tool-call fragments put back together. Every chunk is checked
   * with zod, and the turn counts only if the server said it finished it; anything else is a
   * BrokenReply.
   */
  async function complete(api: OpenAI, model: string, messages: ChatCompletionMessageParam[], onText: (text: string) => void, options: AskOptions) {
    const { data: stream, response } = await api.chat.completions.create({ model, messages, tools: TOOL_DEFS, stream: true }, { signal: options.signal }).withResponse();
    let content = '';
    let finish: string | null = null;
    const calls = new Map<number, { id: string; name: string; args: string }>();
    try {
      for await (const raw of stream) {
        const chunk = chunkSchema.safeParse(raw);
        if (!chunk.success) throw new BrokenReply('sent a stream chunk of the wrong shape');
        const choice = chunk.data.choices[0];
        if (!choice) continue; // e.g. a usage-only chunk
        if (choice.finish_reason) finish = choice.finish_reason;
        const delta = choice.delta;
        if (delta?.content) {
          content += delta.content;
          onText(delta.content);
        }
        for (const [position, tc] of (delta?.tool_calls ?? []).entries()) {
          // Some servers leave out the index when they send each call whole.
          const index = tc.index ?? position;
          const call = calls.get(index) ?? { id: '', name: '', args: '' };
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name += tc.function.name;
          if (tc.function?.arguments) call.args += tc.function.arguments;
          calls.set(index, call);
        }
      }
    } catch (error) {
      // The client rethrows the JSON.parse failure of a bad `data:` line.
      if (error instanceof SyntaxError) throw new BrokenReply('sent a stream chunk that is not JSON');
      throw error;
    }
    if (finish === null) {
      const type = response.headers.get('content-type') ?? '';
      throw new BrokenReply(type.includes('text/event-stream') ? 'stopped before finishing its answer' : `sent ${oneLine(type.split(';')[0] ?? '', 60) || 'an untyped body'} instead of a chat completion stream`);
    }
    if (finish === 'length') throw new BrokenReply('cut its answer off at the length limit');
    if (finish === 'content_filter') throw new BrokenReply('withheld its answer (content filter)');
    if (!COMPLETE_FINISHES.has(finish)) throw new BrokenReply(`ended its answer for an unknown reason ("${oneLine(finish, 40)}")`);
    return { content, calls: [...calls.values()].map((c, i) => ({ ...c, id: c.id || `call_${i}` })) };
  }

  /** Runs one tool call; a bad call is answered with its error, never executed. */
  async function runTool(name: string, rawArgs: string, ctx: ToolContext, meta: { prompt: string; conversationId: string }, proposed: ActionView[]): Promise<unknown> {
    let args: unknown;
    try {
      args = rawArgs.trim() ? JSON.parse(rawArgs) : {};
    } catch {
      return { error: 'The arguments were not valid JSON; call the tool again with a JSON object.' };
    }
    try {
      if (isRead(name)) {
        const tool = READ_TOOLS[name];
        const parsed = tool.args.safeParse(args);
        if (!parsed.success) return { error: `Invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'} ${i.message}`).join('; ')}` };
        return await (tool.run as (c: ToolContext, a: unknown) => unknown)(ctx, parsed.data);
      }
      if (isProposal(name)) {
        if (!args || typeof args !== 'object' || Array.isArray(args)) return { error: 'The arguments must be a JSON object' };
        const flagged = ctx.suspicious.length ? `Proposed after reading text that reads like instructions (${ctx.suspicious.slice(0, 3).join(', ')}); check it was really asked for.` : null;
        const action = actions.propose(name, Object.fromEntries(Object.entries(args)), { ...meta, flagged });
        proposed.push(action);
        return { proposed: true, actionId: action.id, summary: action.summary, note: 'Waiting for the user to confirm; nothing has changed yet.' };
      }
      return { error: `Unknown tool "${name}". Available: ${TOOL_DEFS.map((t) => (t.type === 'function' ? t.function.name : '')).join(', ')}` };
    } catch (error) {
      if (error instanceof AppError) return { error: error.message };
      log.error('tool failed', { tool: name, error: error instanceof Error ? error.message : String(error) });
      return { error: 'The tool failed unexpectedly' };
    }
  }

  /** The exchange itself; history rows are written by the caller. */
  async function converse(conversationId: string, sessionId: string, prompt: string, options: AskOptions) {
    const { c, api } = client();
    const user = core.session.currentUserId ? core.users.get(core.session.currentUserId) : null;
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT.replace('{{today}}', localDate(core.clock.now())).replace('{{user}}', user ? `${user.fullName} (${user.role})` : 'unknown') },
    ];
    for (const h of history.session(sessionId)) {
      messages.push({ role: 'user', content: h.query }, { role: 'assistant', content: h.response ?? '' });
    }
    messages.push({ role: 'user', content: prompt });
    const ctx: ToolContext = { core, sources: new Map(), suspicious: [], beforeSearch };
    const proposed: ActionView[] = [];
    let toolErrors = 0;
    const transcript = createTranscript(options.onDelta);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      transcript.newRound();
      const turn = await complete(api, c.model, messages, transcript.write, options);
      if (turn.calls.length === 0) break;
      const toolCalls: ChatCompletionMessageToolCall[] = turn.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.args } }));
      messages.push({ role: 'assistant', content: turn.content || null, tool_calls: toolCalls });
      for (const call of turn.calls) {
        const result = await runTool(call.name, call.args, ctx, { prompt, conversationId }, proposed);
        if (result && typeof result === 'object' && 'error' in result) toolErrors += 1;
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      if (round === MAX_ROUNDS - 1) {
        transcript.newRound();
        transcript.write('I could not finish within the allowed number of steps; here is what I found so far.');
      }
    }
    if (!transcript.text() && proposed.length === 0) throw new BrokenReply('sent an empty answer');
    if (!transcript.text()) {
      transcript.newRound();
      transcript.write(`Proposed: ${proposed.map((p) => p.summary).join('; ')}`);
    }
    const answer = transcript.text();
    const sources = [...ctx.sources.values()].slice(0, 50);
    const confidence = Math.max(0.1, Math.min(0.95, (sources.length ? 0.85 : 0.45) - toolErrors * 0.1 - (ctx.suspicious.length ? 0.15 : 0)));
    return { answer, sources, proposed, confidence };
  }

  /** Answers from local search only, while the model is out of reach or broken. */
  async function interimAnswer(question: string, problem: string) {
    await beforeSearch().catch((error: unknown) => log.warn('local search index not brought up to date', { error: error instanceof Error ? error.message : String(error) }));
    const found = await core.memory.search({ query: question, k: 5 }).catch(() => ({ results: [] as { taskId: string | null; content: string; contentType: string; id: string }[] }));
    const sources = found.results.map((r) => (r.taskId ? { type: 'task' as const, id: r.taskId, title: r.content.split('\n')[0]?.slice(0, 80) ?? '' } : { type: 'note' as const, id: r.id, title: r.content.slice(0, 80) }));
    const lines = found.results.map((r) => `- ${r.content.split('\n')[0]?.slice(0, 120) ?? ''}`);
    const why = problem === UNREACHABLE ? 'The assistant is offline' : 'The AI server’s reply could not be used';
    return {
      answer: `${why}, so your question is saved and will be answered when the AI server works again.${lines.length ? `\nMeanwhile, these look related:\n${lines.join('\n')}` : ''}`,
      sources,
    };
  }

  /**
   * A run that broke off is asked again from the start later, which proposes afresh: its own
   * proposals are withdrawn so they are neither confirmed half-explained nor shown twice.
   */
  const withdrawProposals = (conversationId: string, problem: string) =>
    actions.withdrawPending(conversationId, `Withdrawn: the answer it belonged to broke off (${problem}); the question will be asked again`);

  async function ask(raw: unknown, options: AskOptions = {}): Promise<AskResult> {
    const input = parseInput(askInput, raw, 'question');
    if (input.sessionId && !history.hasSession(input.sessionId)) {
      throw new AppError('NOT_FOUND', `There is no conversation ${input.sessionId} of yours to continue; leave the session out to start a new one`);
    }
    const started = performance.now();
    const sessionId = input.sessionId ?? newId();
    const template = input.templateId ? history.template(input.templateId) : null;
    const prompt = template ? history.render(template, input.question) : input.question;
    const queryType = template ? `template:${template.id}` : queryTypeOf(input.question);
    if (template) history.markTemplateUsed(template.id);
    const conversationId = history.start({ sessionId, query: prompt, queryType });
    try {
      const r = await converse(conversationId, sessionId, prompt, options);
      const ms = performance.now() - started;
      history.finish(conversationId, { response: r.answer, responseTimeMs: ms, dataSources: r.sources, confidence: r.confidence });
      return { sessionId, conversationId, answer: r.answer, sources: r.sources, actions: r.proposed, queued: false, problem: null, confidence: r.confidence, responseTimeMs: Math.round(ms) };
    } catch (error) {
      const ms = performance.now() - started;
      const problem = keepForRetry(error);
      if (problem !== null) {
        log.info('question kept for retry', { conversationId, problem });
        core.writer.transaction(() => {
          history.finish(conversationId, { response: null, queryType: `queued:${queryType}`, responseTimeMs: ms, dataSources: [], confidence: null });
          withdrawProposals(conversationId, problem);
        });
        const interim = await interimAnswer(input.question, problem);
        return { sessionId, conversationId, answer: interim.answer, sources: interim.sources, actions: [], queued: true, problem, confidence: null, responseTimeMs: Math.round(ms) };
      }
      core.writer.transaction(() => {
        history.finish(conversationId, { response: null, queryType: 'error', responseTimeMs: ms, dataSources: [], confidence: null });
        withdrawProposals(conversationId, describe(error));
      });
      if (error instanceof AppError) throw error;
      throw new AppError('UNAVAILABLE', describe(error));
    }
  }

  /** Answers questions kept while offline, oldest first; each answer arrives as a notification. */
  async function answerQueued(options: AskOptions = {}): Promise<{ answered: number; remaining: number }> {
    let answered = 0;
    const queued = history.queued();
    for (const q of queued) {
      const started = performance.now();
      try {
        const r = await converse(q.id, q.sessionId, q.query, options);
        core.writer.transaction(() => {
          history.finish(q.id, { response: r.answer, queryType: (q.queryType ?? 'queued:question').replace(/^queued:/, ''), responseTimeMs: performance.now() - started, dataSources: r.sources, confidence: r.confidence });
          const userId = core.session.currentUserId;
          if (userId) {
            insertNotification(core.writer, {
              userId, type: 'system', title: 'Your question was answered', message: `“${q.query.slice(0, 120)}”: ${r.answer.slice(0, 200)}`,
              taskId: null, projectId: null, metadata: { conversationId: q.id, actions: r.proposed.length },
            });
          }
        });
        answered += 1;
      } catch (error) {
        const problem = keepForRetry(error);
        withdrawProposals(q.id, problem ?? describe(error));
        // A reply broken for this question must not hold back the ones behind it; a server that is
        // out of reach or failing would fail them all, so stop for now.
        if (error instanceof BrokenReply) continue;
        if (problem !== null) break;
        throw error instanceof AppError ? error : new AppError('UNAVAILABLE', describe(error));
      }
    }
    return { answered, remaining: history.queued().length };
  }

  return { ask, answerQueued, actions, history };
}
export type Agent = ReturnType<typeof createAgent>;
