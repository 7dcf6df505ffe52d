import { reportInput, type ReportDraft, type StatusReport } from '../../shared/insights';
import { parseInput } from '../common/errors';
import type { AiConfig } from '../ai/config';
import { buildStatusReport, type ReportDeps } from './status-report';
import { renderHtml, renderMarkdown } from './render';
import { draftSummary } from './summary';
import type { PdfPrinter } from './pdf';

export const REPORT_FORMATS = ['pdf', 'html', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Weekly status reports: build, draft a summary, render to a format. */
export function createReportsService(deps: ReportDeps) {
  return {
    build(raw: unknown, summary?: { text: string }): StatusReport {
      const input = parseInput(reportInput, raw, 'report request');
      const report = buildStatusReport(deps, input.projectId, input.week);
      // The coordinator's accepted words replace the template's.
      if (summary && summary.text.trim() !== '') report.summary = { text: summary.text.trim(), source: 'edited', note: null };
      return report;
    },

    draft(report: StatusReport, ai: AiConfig | null, options: { signal?: AbortSignal } = {}): Promise<ReportDraft> {
      return draftSummary(report, ai, options);
    },

    async render(report: StatusReport, format: ReportFormat, printer?: PdfPrinter): Promise<Uint8Array | string> {
      if (format === 'md') return renderMarkdown(report);
      if (format === 'html') return renderHtml(report);
      if (!printer) throw new Error('a PDF printer is required for format pdf');
      return printer(renderHtml(report, { theme: 'light' }));
    },
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
