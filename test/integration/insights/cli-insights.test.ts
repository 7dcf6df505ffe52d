import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../../core/app/core';
import { manualClock } from '../../support/core';
import { runCoordinator } from '../../support/cli';
import { EXPECTED, scriptProject } from '../../support/insights-scenario';
import type { Insights } from '../../../shared/insights';
import { startChatServer } from '../../support/openai-chat-server';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-insights-cli-'));
  db = path.join(dir, 'c.db');
  const clock = manualClock();
  const core = openCore({ dbFile: db, clock });
  scriptProject(core, (iso) => clock.set(iso)).play();
  core.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noAi = { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, COORDINATOR_DB: undefined };

describe('coordinator insights', () => {
  it('--json prints the series behind each chart, equal to the scripted history', async () => {
    const run = await runCoordinator(['insights', '--db', db, '--project', 'harbour launch', '--from', '2026-03-02', '--to', '2026-03-13', '--json'], noAi);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const insights = JSON.parse(run.stdout) as Insights;
    expect(insights.burndown.map((p) => p.openHours)).toEqual(EXPECTED.openHours);
    expect(insights.cumulativeFlow.map((p) => p.counts)).toEqual(EXPECTED.flow);
    expect(insights.throughput).toEqual(EXPECTED.throughput);
    expect(insights.overdue.map((p) => p.overdue)).toEqual(EXPECTED.overdue);
    expect(Object.keys(insights).sort()).toEqual(['burndown', 'cumulativeFlow', 'cycleTime', 'forecasts', 'overdue', 'scope', 'throughput', 'workload']);
  });

  it('refuses a reversed range with one line', async () => {
    const run = await runCoordinator(['insights', '--db', db, '--from', '2026-03-13', '--to', '2026-03-02'], noAi);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: .*from must not be after to/);
  });
});

describe('coordinator report', () => {
  it('writes Markdown, HTML and PDF for a project and week', async () => {
    for (const format of ['md', 'html', 'pdf']) {
      const out = path.join(dir, `w11.${format}`);
      const run = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--week', '2026-W11', '--format', format, '--out', out], noAi);
      expect(run.stderr, format).toBe('');
      expect(run.code).toBe(0);
      const bytes = readFileSync(out);
      if (format === 'pdf') expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      else expect(bytes.toString('utf8')).toContain('Status report — Harbour launch, 2026-W11');
    }
  }, 90_000);

  it('never replaces an existing file without --force, and leaves it untouched', async () => {
    const out = path.join(dir, 'keep.md');
    writeFileSync(out, 'my notes');
    const run = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--week', '2026-W11', '--out', out], noAi);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*already exists; choose another --out or add --force/);
    expect(readFileSync(out, 'utf8')).toBe('my notes');
    const forced = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--week', '2026-W11', '--out', out, '--force'], noAi);
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('## Summary');
  });

  it('rejects a bad format or week with one clear line and writes nothing', async () => {
    for (const [args, message] of [
      [['--format', 'docx'], /--format must be pdf, html or md/],
      [['--week', '2026-49'], /ISO week/],
      [['--week', '2025-W53'], /2025 has no week 53/],
    ] as const) {
      const out = path.join(dir, 'bad.out');
      const run = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--out', out, ...args], noAi);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--draft asks the assistant, and a draft with an invented number gives the template and says why', async () => {
    const server = await startChatServer();
    try {
      server.script.push({ reply: 'Ninety-seven percent done: 97 tasks closed.' }, { reply: 'One task was finished this week and one awaits feedback.' });
      const bad = path.join(dir, 'draft-bad.md');
      const run = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--week', '2026-W11', '--out', bad, '--draft'], { ...noAi, OPENAI_BASE_URL: server.baseURL, COORDINATOR_AI_MODEL: 'test-model' });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^note: The assistant's draft stated numbers not in the report \(97\)/);
      expect(readFileSync(bad, 'utf8')).toContain('## Summary\n\nIn 2026-W11, 1 task was completed on Harbour launch');
      const good = path.join(dir, 'draft-good.md');
      const ok = await runCoordinator(['report', '--db', db, '--project', 'Harbour launch', '--week', '2026-W11', '--out', good, '--draft'], { ...noAi, OPENAI_BASE_URL: server.baseURL, COORDINATOR_AI_MODEL: 'test-model' });
      expect(ok.stderr).toBe('');
      expect(readFileSync(good, 'utf8')).toContain('## Summary\n\nOne task was finished this week and one awaits feedback.');
    } finally {
      await server.close();
    }
  }, 60_000);
});
