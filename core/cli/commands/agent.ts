import type { Command } from 'commander';
import { askInput, type ActionView } from '../../../shared/agent';
import { AppError } from '../../common/errors';
import { resolveRef } from '../resolve';
import { withCore } from '../context';
import { oneLine } from '../errors';
import { plural, shortId } from '../output';
import { indexPending } from './memory';

const actionJson = (a: ActionView) => ({
  id: a.id, actionType: a.actionType, targetType: a.targetType, targetId: a.targetId, actionData: a.actionData, executed: a.executed,
  status: a.status, summary: a.summary, flagged: a.flagged, result: a.result, executedAt: a.executedAt,
});

async function openAgent(core: Parameters<Parameters<typeof withCore>[1]>[0]['core']) {
  const { createAgent } = await import('../../agent/agent');
  const { aiConfigFromEnv } = await import('../../ai/config');
  const config = aiConfigFromEnv();
  // Each CLI run is its own process with no background indexer: index what changed since the last
  // run just before the agent searches (its search tool, or the interim answer), and only then.
  return createAgent(core, () => config, { beforeLocalSearch: () => indexPending(core) });
}

export function registerAgentCommands(program: Command): void {
  program
    .command('ask')
    .description('ask the assistant (OPENAI_BASE_URL, OPENAI_API_KEY, COORDINATOR_AI_MODEL); changes it suggests wait for `actions confirm`')
    .argument('[question]', 'the question')
    .option('--session <id>', 'continue a conversation')
    .option('--template <name>', 'use a prompt template (name or id); the question fills its variables')
    .option('--answer-queued', 'answer questions kept while the AI server was unreachable')
    .action((question: string | undefined, opts: { session?: string; template?: string; answerQueued?: boolean }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const agent = await openAgent(core);
        if (opts.answerQueued) {
          const r = await agent.answerQueued();
          if (out.json) return out.data(r);
          return out.line(`Answered ${plural(r.answered, 'queued question')}; ${r.remaining} still waiting.`);
        }
        if (!question) throw new AppError('VALIDATION', 'Give a question, e.g. coordinator ask "who is overloaded this week?"');
        if (opts.session !== undefined && !askInput.shape.sessionId.safeParse(opts.session).success) {
          throw new AppError('VALIDATION', `--session "${opts.session}" is not a session id; use the id printed as "Session …" after an earlier answer`, [{ path: 'session', message: 'must be a UUID' }]);
        }
        let templateId: string | undefined;
        if (opts.template) {
          const wanted = opts.template.toLowerCase();
          const t = agent.history.templates().find((x) => x.id === opts.template || x.name.toLowerCase() === wanted || x.category === wanted);
          if (!t) throw new AppError('NOT_FOUND', `No template "${opts.template}"; templates: ${agent.history.templates().map((x) => x.name).join(', ')}`);
          templateId = t.id;
        }
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        let streamed = '';
        try {
          const r = await agent.ask(
            { question, ...(opts.session ? { sessionId: opts.session } : {}), ...(templateId ? { templateId } : {}) },
            {
              signal: controller.signal,
              ...(out.json ? {} : { onDelta: (d: string) => { streamed += d; process.stdout.write(d); } }),
            },
          );
          if (r.problem) process.stderr.write(`warning: ${oneLine(r.problem)}; the question is kept (\`coordinator ask --answer-queued\` answers it later)\n`);
          if (out.json) {
            return out.data({
              answer: r.answer, sources: r.sources, actions: r.actions.map(actionJson), sessionId: r.sessionId, conversationId: r.conversationId,
              queued: r.queued, problem: r.problem ?? null, confidence: r.confidence,
            });
          }
          // Text that streamed before the reply broke off is ended, not continued by the interim answer.
          if (r.queued) out.line(`${streamed ? '\n' : ''}${r.answer}`);
          else out.line('');
          if (r.sources.length) out.line(`\nSources: ${r.sources.slice(0, 10).map((s) => `${s.type} ${shortId(s.id)} ${s.title}`).join('; ')}`);
          for (const a of r.actions) out.line(`\nProposed ${shortId(a.id)}: ${a.summary}${a.flagged ? `  ⚠ ${a.flagged}` : ''}\n  confirm: coordinator actions confirm ${a.id}`);
          out.line(`\nSession ${r.sessionId}`);
        } catch (error) {
          // End a half-streamed answer so the error line does not continue it.
          if (streamed && !streamed.endsWith('\n')) process.stdout.write('\n');
          throw error;
        } finally {
          process.off('SIGINT', onSignal);
        }
      }),
    );

  const actions = program.command('actions').description("the assistant's proposed changes");
  actions
    .command('list')
    .description('list proposals')
    .option('--pending', 'only those awaiting a decision')
    .action((opts: { pending?: boolean }, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const list = (await openAgent(core)).actions.list({ pending: Boolean(opts.pending) });
        if (out.json) return out.data(list.map(actionJson));
        if (list.length === 0) return out.line(opts.pending ? 'No pending proposals.' : 'No proposals.');
        for (const a of list) out.line(`${shortId(a.id)}  ${a.status.padEnd(8)} ${a.summary}${a.flagged ? '  ⚠ flagged' : ''}`);
      }),
    );
  actions
    .command('confirm')
    .description('execute a proposal (re-checked against the current data first)')
    .argument('<id>', 'action id: the whole UUID or an unambiguous part of ≥ 8 characters (as shown by `actions list`)')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const a = (await openAgent(core)).actions.confirm(resolveRef(core, 'action', id));
        if (out.json) return out.data(actionJson(a));
        out.line(`Done: ${a.summary}.`);
      }),
    );
  actions
    .command('reject')
    .description('decline a proposal')
    .argument('<id>', 'action id: the whole UUID or an unambiguous part of ≥ 8 characters (as shown by `actions list`)')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withCore(cmd, async ({ core, out }) => {
        const a = (await openAgent(core)).actions.reject(resolveRef(core, 'action', id));
        if (out.json) return out.data(actionJson(a));
        out.line(`Rejected: ${a.summary}.`);
      }),
    );
}
