import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { manualClock, tempCore } from '../../support/core';
import { scriptProject } from '../../support/insights-scenario';
import { startChatServer, unusedBaseUrl, type ChatServer } from '../../support/openai-chat-server';
import { parseAiConfig } from '../../../core/ai/config';
import { renderHtml, renderMarkdown, REPORT_HEADINGS } from '../../../core/reports/render';
import { templateSummary, unsupportedNumbers } from '../../../core/reports/summary';
import { chromiumPrinter } from '../../../core/reports/pdf';

const open: { dispose(): void }[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.dispose();
});

function scripted() {
  const clock = manualClock();
  const core = tempCore({ clock });
  open.push(core);
  const world = scriptProject(core, (iso) => clock.set(iso));
  world.play();
  clock.set('2026-03-13T12:00:00.000Z');
  return { core, world };
}

describe('weekly status report', () => {
  it('for the current week: done this week, blockers and figures as of now', () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    expect(r).toMatchObject({ weekStart: '2026-03-09', weekEnd: '2026-03-15', deadline: '2026-03-20' });
    expect(r.done.map((t) => [t.title, t.note, t.assignee])).toEqual([['Print the signage', 'done 2026-03-11', 'Ana Silva']]);
    expect(r.blockers.map((t) => [t.title, t.note])).toEqual([['Brief the press', 'awaiting feedback']]);
    expect(r.slipped).toEqual([]);
    // Throughput samples: the eight weeks before this one; only T1 (week of 03-02) was done in them.
    expect(r.figures).toEqual({ doneThisWeek: 1, openTasks: 1, openHours: 2, overdue: 0, awaitingFeedback: 1, avgWeeklyThroughput: 0.1 });
  });

  it('for a past week: the world as it stood at that week\'s end', () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W10' });
    expect(r.done.map((t) => t.title)).toEqual(['Book the venue']);
    expect(r.figures).toMatchObject({ doneThisWeek: 1, openTasks: 2, openHours: 10, overdue: 0, awaitingFeedback: 0 });
    expect(r.workload.map((w) => [w.name, w.openHours])).toEqual([['Ana Silva', 8], ['Ben Okafor', 2]]);
  });

  it('lists a task past its due date this week as slipped, and an unstarted one due soon as at risk', () => {
    const { core, world } = scripted();
    const late = core.tasks.create({ title: 'Order badges', projectId: world.project.id, dueDate: '2026-03-10', estimatedHours: 3 });
    const soon = core.tasks.create({ title: 'Confirm caterer', projectId: world.project.id, dueDate: '2026-03-18' });
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    expect(r.slipped.map((t) => [t.id, t.note])).toEqual([[late.id, '3 days past due']]);
    expect(r.atRisk.map((t) => [t.id, t.note])).toEqual([[soon.id, 'due 2026-03-18, not started']]);
  });

  it('takes the coordinator\'s own words as the summary', () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' }, { text: '  A calm week.  ' });
    expect(r.summary).toEqual({ text: 'A calm week.', source: 'edited', note: null });
  });

  it('refuses a malformed week and an unknown project', () => {
    const { core, world } = scripted();
    expect(() => core.reports.build({ projectId: world.project.id, week: '2026-49' })).toThrow(/ISO week/);
    expect(() => core.reports.build({ projectId: '01900000-0000-7000-8000-00000000abcd', week: '2026-W11' })).toThrow(/does not exist/);
  });

  it('the template summary states only numbers the report contains, for every week of the script', () => {
    const { core, world } = scripted();
    for (const week of ['2026-W09', '2026-W10', '2026-W11', '2026-W12']) {
      const r = core.reports.build({ projectId: world.project.id, week });
      expect(unsupportedNumbers(templateSummary(r), r), week).toEqual([]);
    }
  });
});

describe('summary drafted by the assistant', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => server.close());
  const config = () => parseAiConfig({ baseURL: server.baseURL, model: 'test-model', maxRetries: 0, timeoutMs: 5000 });

  it('is proposed when every number in it is in the computed figures, and the model saw only those figures', async () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    server.script.push({ reply: 'One task was finished this week (1 in total); 1 task still awaits feedback, with 2 estimated hours left before the 2026-03-20 deadline.' });
    const draft = await core.reports.draft(r, config());
    expect(draft.source).toBe('assistant');
    expect(draft.note).toBeNull();
    const facts = server.requests.at(-1)!.messages.at(-1)!.content!;
    expect(JSON.parse(facts)).toMatchObject({ project: 'Harbour launch', week: '2026-W11', figures: r.figures });
  });

  it('falls back to the template, saying why, when the draft states a number not in the figures', async () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    server.script.push({ reply: 'The team finished 1 task and is 42% through the plan.' });
    const draft = await core.reports.draft(r, config());
    expect(draft).toEqual({ text: templateSummary(r), source: 'template', note: expect.stringContaining('42') });
  });

  it('falls back to the template offline, and without an assistant', async () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    const down = await core.reports.draft(r, parseAiConfig({ baseURL: await unusedBaseUrl(), maxRetries: 0, timeoutMs: 2000 }));
    expect(down).toMatchObject({ source: 'template', text: templateSummary(r), note: expect.stringContaining('could not be reached') });
    expect(await core.reports.draft(r, null)).toMatchObject({ source: 'template', note: expect.stringContaining('No assistant') });
  });
});

describe('report export', () => {
  it('Markdown and HTML carry every heading and the figures; task titles are escaped', () => {
    const { core, world } = scripted();
    core.tasks.update({ id: world.tasks.t3.id, title: '<script>alert(1)</script> | press' });
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    const md = renderMarkdown(r);
    const html = renderHtml(r);
    for (const h of REPORT_HEADINGS) {
      expect(md).toContain(`## ${h}\n`);
      expect(html).toMatch(new RegExp(`<h2 id="[^"]+">${h}</h2>`));
    }
    expect(md).toContain('Done this week: 1 · Open: 1 tasks, 2 h · Overdue: 0 · Awaiting feedback: 1');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(md).toContain('\\<script\\>alert(1)\\</script\\> \\| press');
  });

  it('PDF from Chromium is a valid PDF whose text holds the headings and numbers', async () => {
    const { core, world } = scripted();
    const r = core.reports.build({ projectId: world.project.id, week: '2026-W11' });
    const pdf = await core.reports.render(r, 'pdf', chromiumPrinter());
    expect(pdf).toBeInstanceOf(Uint8Array);
    const bytes = pdf as Uint8Array;
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(Buffer.from(bytes.subarray(-8)).toString('latin1')).toContain('%%EOF');
    const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
    for (const h of REPORT_HEADINGS) expect(text).toContain(h);
    expect(text).toContain('Status report — Harbour launch, 2026-W11');
    expect(text).toContain('Print the signage');
    expect(text).toMatch(/Done this week: 1 · Open: 1 tasks, 2 h/);
  }, 60_000);
});
