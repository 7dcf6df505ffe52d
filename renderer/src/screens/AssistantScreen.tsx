import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ActionView, AskResult } from '../../../shared/agent';
import { call, onEvent, toApiError, type ApiError } from '../api';
import { EmptyState } from '../components/EmptyState';
import { ErrorBanner } from '../components/ErrorBanner';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../lib/appContext';
import { useQuery } from '../lib/useQuery';

interface Exchange {
  requestId: string;
  question: string;
  streamed: string;
  result: AskResult | null;
  error: ApiError | null;
  rating: 1 | -1 | null;
}

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** One proposal: what it would change, and the decision. Nothing runs without Confirm. */
export function ActionCard({ action, onDecided }: { action: ActionView; onDecided(next: ActionView): void }) {
  const { toast } = useApp();
  const [busy, setBusy] = useState<null | 'confirm' | 'reject'>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const decide = async (kind: 'confirm' | 'reject') => {
    setBusy(kind);
    setError(null);
    try {
      const next = await call(kind === 'confirm' ? 'agent.confirm' : 'agent.reject', { id: action.id });
      onDecided(next);
      toast(kind === 'confirm' ? `Done: ${next.summary}` : 'Proposal rejected', kind === 'confirm' ? 'success' : 'info');
    } catch (err) {
      setError(toApiError(err));
      call('agent.actions', { conversationId: action.conversationId ?? undefined }).then(
        (list) => {
          const fresh = list.find((a) => a.id === action.id);
          if (fresh) onDecided(fresh);
        },
        () => undefined,
      );
    } finally {
      setBusy(null);
    }
  };
  return (
    <article className={`card action-card${action.flagged ? ' action-flagged' : ''}`} data-testid="action-card" aria-label={`Proposal: ${action.summary}`}>
      <header className="action-head">
        <strong>{action.summary}</strong>
        <span className={`chip chip-${action.status}`} data-testid="action-status">{action.status}</span>
      </header>
      {action.flagged ? (
        <div className="banner banner-warning" role="note" data-testid="action-flagged">
          ⚠ {action.flagged}
        </div>
      ) : null}
      {action.diff.length ? (
        <table className="diff-table" aria-label="What would change">
          <thead>
            <tr><th scope="col">Field</th><th scope="col">Now</th><th scope="col">After</th></tr>
          </thead>
          <tbody>
            {action.diff.map((d) => (
              <tr key={d.field}>
                <th scope="row">{d.field}</th>
                <td><del>{d.beforeLabel ?? show(d.before)}</del></td>
                <td><ins>{d.afterLabel ?? show(d.after)}</ins></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {error ? <ErrorBanner error={error} title="Not done" /> : null}
      {action.result && action.status !== 'pending' ? <p className="muted small">{action.status === 'executed' ? 'Executed' : 'Result'}: {action.result}</p> : null}
      {action.status === 'pending' ? (
        <div className="form-actions">
          <button type="button" className="btn" data-testid="action-reject" disabled={busy !== null} onClick={() => void decide('reject')}>
            {busy === 'reject' ? 'Rejecting…' : 'Reject'}
          </button>
          <button type="button" className="btn btn-primary" data-testid="action-confirm" disabled={busy !== null} onClick={() => void decide('confirm')}>
            {busy === 'confirm' ? 'Working…' : 'Confirm'}
          </button>
        </div>
      ) : null}
    </article>
  );
}

/**
 * The assistant: ask in plain language, read a grounded answer as it streams, open its sources,
 * and decide on the changes it proposes.
 */
export function AssistantScreen() {
  const { openTask, navigate } = useApp();
  const templates = useQuery('agent.templates', undefined, { tables: ['prompt_templates'] });
  const pending = useQuery('agent.actions', { pending: true }, { tables: ['ai_actions'] });
  const [question, setQuestion] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [sessionId, setSessionId] = useState<string | undefined>(undefined);
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [running, setRunning] = useState<string | null>(null);
  const seq = useRef(0);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => inputRef.current?.focus(), []);
  useEffect(
    () =>
      onEvent('agent.delta', ({ requestId, text }) => {
        setExchanges((xs) => xs.map((x) => (x.requestId === requestId ? { ...x, streamed: x.streamed + text } : x)));
      }),
    [],
  );

  const update = (requestId: string, patch: Partial<Exchange>) => setExchanges((xs) => xs.map((x) => (x.requestId === requestId ? { ...x, ...patch } : x)));

  const ask = async (e?: FormEvent) => {
    e?.preventDefault();
    const text = question.trim();
    if ((!text && !templateId) || running) return;
    const requestId = `r${Date.now()}-${++seq.current}`;
    setExchanges((xs) => [...xs, { requestId, question: text || (templates.data?.find((t) => t.id === templateId)?.name ?? ''), streamed: '', result: null, error: null, rating: null }]);
    setQuestion('');
    setRunning(requestId);
    try {
      const result = await call('agent.ask', { requestId, question: text || 'this week', ...(sessionId ? { sessionId } : {}), ...(templateId ? { templateId } : {}) });
      setSessionId(result.sessionId);
      update(requestId, { result });
      pending.reload();
    } catch (err) {
      update(requestId, { error: toApiError(err) });
    } finally {
      setRunning(null);
      setTemplateId('');
    }
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void ask();
    }
  };

  const rate = async (x: Exchange, rating: 1 | -1) => {
    if (!x.result) return;
    try {
      await call('agent.rate', { conversationId: x.result.conversationId, rating });
      update(x.requestId, { rating });
    } catch (err) {
      update(x.requestId, { error: toApiError(err) });
    }
  };

  const replaceAction = (next: ActionView) => {
    setExchanges((xs) => xs.map((x) => (x.result ? { ...x, result: { ...x.result, actions: x.result.actions.map((a) => (a.id === next.id ? next : a)) } } : x)));
    pending.reload();
  };

  const shownIds = new Set(exchanges.flatMap((x) => x.result?.actions.map((a) => a.id) ?? []));
  const earlier = (pending.data ?? []).filter((a) => !shownIds.has(a.id));

  return (
    <section className="view" aria-labelledby="view-title">
      <ViewHeader title="Assistant" subtitle="Answers from your data; changes only when you confirm them" />
      <div className="view-body assistant-body">
        {earlier.length ? (
          <section aria-label="Proposals waiting for you" className="assistant-pending">
            <h2 className="section-title">Waiting for your decision</h2>
            {earlier.map((a) => (
              <ActionCard key={a.id} action={a} onDecided={replaceAction} />
            ))}
          </section>
        ) : null}
        {exchanges.length === 0 && earlier.length === 0 ? (
          <EmptyState title="Ask about your projects">“What is blocking the website launch?”, “Who is overloaded this week?”, or pick a template below.</EmptyState>
        ) : null}
        <ol className="assistant-log" aria-live="polite">
          {exchanges.map((x) => (
            <li key={x.requestId} className="assistant-exchange" data-testid="assistant-exchange">
              <p className="assistant-question"><strong>You:</strong> {x.question}</p>
              <div className="assistant-answer" data-testid="assistant-answer">
                {x.result?.answer ?? x.streamed ?? ''}
                {!x.result && !x.error ? <span className="muted"> …</span> : null}
              </div>
              {x.result?.queued ? <div className="banner banner-info" role="status" data-testid="assistant-queued">Saved: you will get a notification with the answer when the AI server is reachable.</div> : null}
              {x.error ? <ErrorBanner error={x.error} title="The assistant could not answer" /> : null}
              {x.result?.sources.length ? (
                <div className="assistant-sources" aria-label="Sources">
                  <span className="muted small">Sources:</span>
                  {x.result.sources.slice(0, 12).map((s) => (
                    <button
                      key={`${s.type}:${s.id}`}
                      type="button"
                      className="chip chip-link"
                      data-testid="assistant-source"
                      onClick={() => (s.type === 'task' ? openTask(s.id) : s.type === 'project' ? navigate('board', { projectId: s.id }) : s.type === 'employee' ? navigate('people') : undefined)}
                    >
                      {s.type}: {s.title || s.id.slice(-8)}
                    </button>
                  ))}
                </div>
              ) : null}
              {x.result?.actions.map((a) => <ActionCard key={a.id} action={a} onDecided={replaceAction} />)}
              {x.result && !x.result.queued ? (
                <div className="assistant-rating" role="group" aria-label="Was this helpful?">
                  <button type="button" className={`btn btn-ghost${x.rating === 1 ? ' active' : ''}`} aria-pressed={x.rating === 1} data-testid="rate-up" onClick={() => void rate(x, 1)}>Helpful</button>
                  <button type="button" className={`btn btn-ghost${x.rating === -1 ? ' active' : ''}`} aria-pressed={x.rating === -1} data-testid="rate-down" onClick={() => void rate(x, -1)}>Not helpful</button>
                </div>
              ) : null}
            </li>
          ))}
        </ol>
        <form className="card assistant-form" onSubmit={(e) => void ask(e)} aria-label="Ask the assistant">
          <label className="sr-only" htmlFor="assistant-template">Template</label>
          <select id="assistant-template" className="input" data-testid="assistant-template" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            <option value="">No template</option>
            {(templates.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}{t.usageCount ? ` (used ${t.usageCount}×${t.successRate !== null ? `, ${Math.round(t.successRate * 100)}% helpful` : ''})` : ''}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="assistant-input">Question</label>
          <textarea
            id="assistant-input"
            ref={inputRef}
            className="input"
            data-testid="assistant-input"
            rows={2}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            onKeyDown={onKey}
            placeholder={templateId ? 'Optional: fill the template (e.g. a project name)' : 'Ask… (Ctrl+Enter to send)'}
          />
          <div className="form-actions">
            {running ? (
              <button type="button" className="btn" data-testid="assistant-cancel" onClick={() => void call('agent.cancel', { requestId: running })}>Stop</button>
            ) : null}
            {sessionId ? <button type="button" className="btn btn-ghost" onClick={() => { setSessionId(undefined); setExchanges([]); }}>New conversation</button> : null}
            <button type="submit" className="btn btn-primary" data-testid="assistant-ask" disabled={running !== null}>{running ? 'Thinking…' : 'Ask'}</button>
          </div>
        </form>
      </div>
    </section>
  );
}
