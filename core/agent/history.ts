import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { sourceSchema, type ConversationView, type TemplateView } from '../../shared/agent';
import type { Core } from '../app/core';
import { AppError, notFound } from '../common/errors';
import { newId } from '../common/ids';
import { json, num, numOrNull, str, strOrNull } from '../common/rows';
import type { Row } from '../mutations/types';

/** Built-in templates have the same id on every replica, so syncing them never collides. */
const TEMPLATE_NAMESPACE = '5f1d7a52-8c1e-4d0c-9a8e-3f0b6c2d9e41';

export const BUILT_IN_TEMPLATES = [
  {
    name: 'Weekly status report', category: 'weekly_status', variables: [] as string[],
    description: 'Progress, risks and next steps across active projects',
    template: 'Write a weekly status report: for each active project give progress, what was completed, what is overdue or blocked, and the next steps. Use project_status and list_tasks.',
  },
  {
    name: 'Who is overloaded?', category: 'workload', variables: [],
    description: 'Workload this week against capacity',
    template: 'Who is overloaded this week? Use the workload tool, name the people over capacity with their hours and overdue tasks, and propose reassignments to people with capacity.',
  },
  {
    name: 'What is blocking a project?', category: 'blockers', variables: ['project'],
    description: 'Overdue and waiting tasks of one project',
    template: 'What is blocking the project "{{project}}"? Look at its overdue tasks and tasks awaiting feedback or testing, read their comments, and say what each is waiting for.',
  },
  {
    name: 'Triage new tasks', category: 'triage', variables: [],
    description: 'Unassigned or unprioritised new tasks',
    template: 'Triage the open tasks in "todo" that are unassigned or have no due date: suggest a priority, an assignee with capacity and a due date for each, as proposals.',
  },
] as const;

const toTemplate = (r: Row): TemplateView => ({
  id: str(r.id), name: str(r.name), description: strOrNull(r.description), template: str(r.template), category: strOrNull(r.category),
  variables: z.array(z.string()).catch([]).parse(json(r.variables, [])), usageCount: num(r.usage_count), successRate: numOrNull(r.success_rate), lastUsed: strOrNull(r.last_used),
});

const toConversation = (r: Row): ConversationView => ({
  id: str(r.id), sessionId: str(r.session_id), query: str(r.user_query), response: strOrNull(r.ai_response), queryType: strOrNull(r.query_type),
  responseTimeMs: numOrNull(r.response_time_ms), dataSources: z.array(sourceSchema).catch([]).parse(json(r.data_sources, [])),
  confidenceScore: numOrNull(r.confidence_score), userRating: numOrNull(r.user_satisfaction), createdAt: str(r.created_at),
});

/** `conversation_history` and `prompt_templates`: every exchange, its rating, and what templates are worth. */
export function createHistory(core: Core) {
  const { writer } = core;

  return {
    ensureTemplates(): void {
      writer.transaction(() => {
        for (const t of BUILT_IN_TEMPLATES) {
          const id = uuidv5(t.name, TEMPLATE_NAMESPACE);
          if (writer.get('prompt_templates', id)) continue;
          if (core.db.prepare('SELECT 1 FROM prompt_templates WHERE name = ?').get(t.name)) continue;
          writer.insert('prompt_templates', {
            id, name: t.name, description: t.description, template: t.template, category: t.category, variables: JSON.stringify(t.variables),
            usage_count: 0, success_rate: null, last_used: null, is_active: 1, created_at: writer.now, updated_at: writer.now,
          });
        }
      });
    },

    templates(): TemplateView[] {
      return (core.db.prepare('SELECT * FROM prompt_templates WHERE is_active = 1 ORDER BY name').all() as Row[]).map(toTemplate);
    },

    template(id: string): TemplateView {
      const row = writer.get('prompt_templates', id);
      if (!row) throw notFound('Template', id);
      return toTemplate(row);
    },

    /** The template's text with its variables filled from the question ("project: Website" or the whole question). */
    render(t: TemplateView, question: string): string {
      return t.template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => question.trim() || name);
    },

    markTemplateUsed(id: string): void {
      const row = writer.get('prompt_templates', id);
      if (!row) return;
      writer.update('prompt_templates', id, { usage_count: num(row.usage_count) + 1, last_used: writer.now, updated_at: writer.now });
    },

    start(entry: { sessionId: string; query: string; queryType: string }): string {
      const id = newId();
      writer.insert('conversation_history', {
        id, session_id: entry.sessionId, user_id: core.session.currentUserId, user_query: entry.query, ai_response: null, query_type: entry.queryType,
        response_time_ms: null, data_sources: '[]', confidence_score: null, user_satisfaction: null, created_at: writer.now,
      });
      return id;
    },

    finish(id: string, entry: { response: string | null; queryType?: string; responseTimeMs: number; dataSources: unknown[]; confidence: number | null }): void {
      writer.update('conversation_history', id, {
        ai_response: entry.response, ...(entry.queryType ? { query_type: entry.queryType } : {}), response_time_ms: Math.round(entry.responseTimeMs),
        data_sources: JSON.stringify(entry.dataSources), confidence_score: entry.confidence,
      });
    },

    get(id: string): ConversationView {
      const row = writer.get('conversation_history', id);
      if (!row) throw notFound('Conversation', id);
      return toConversation(row);
    },

    /** Whether the signed-in person has a conversation with this session id (only they may continue it). */
    hasSession(sessionId: string): boolean {
      return core.db.prepare('SELECT 1 FROM conversation_history WHERE session_id = ? AND user_id IS ? LIMIT 1').get(sessionId, core.session.currentUserId) !== undefined;
    },

    /** The session's earlier exchanges, oldest first, for context. */
    session(sessionId: string, limit = 6): ConversationView[] {
      return (core.db.prepare('SELECT * FROM conversation_history WHERE session_id = ? AND user_id IS ? AND ai_response IS NOT NULL ORDER BY created_at DESC LIMIT ?').all(sessionId, core.session.currentUserId, limit) as Row[])
        .map(toConversation)
        .reverse();
    },

    queued(): ConversationView[] {
      return (core.db.prepare("SELECT * FROM conversation_history WHERE query_type LIKE 'queued%' AND ai_response IS NULL AND user_id IS ? ORDER BY created_at").all(core.session.currentUserId) as Row[]).map(toConversation);
    },

    /** A thumbs up (1) or down (-1); the template it came from gets its success rate recomputed. */
    rate(id: string, rating: 1 | -1): ConversationView {
      const row = writer.get('conversation_history', id);
      if (!row) throw notFound('Conversation', id);
      if (row.ai_response == null) throw new AppError('CONFLICT', 'This question has not been answered yet');
      writer.transaction(() => {
        writer.update('conversation_history', id, { user_satisfaction: rating });
        const type = str(row.query_type);
        const templateId = type.startsWith('template:') ? type.slice('template:'.length) : null;
        if (templateId && writer.get('prompt_templates', templateId)) {
          const stats = core.db
            .prepare("SELECT count(*) AS n, sum(user_satisfaction > 0) AS good FROM conversation_history WHERE query_type = ? AND user_satisfaction IS NOT NULL")
            .get(type) as { n: number; good: number | null };
          writer.update('prompt_templates', templateId, { success_rate: stats.n ? (stats.good ?? 0) / stats.n : null, updated_at: writer.now });
        }
      });
      return toConversation(writer.get('conversation_history', id) as Row);
    },
  };
}
