import type { z } from 'zod';
import type { reportExportInput, reportExportSchema } from '../../shared/insights';
import { AppError } from '../common/errors';
import type { PdfPrinter } from './pdf';
import type { ReportsService } from './reports-service';

const MIME = { pdf: 'application/pdf', html: 'text/html', md: 'text/markdown' } as const;

/** A report rendered for the desktop to save: bytes as base64, with a file name and type. */
export async function exportReport(reports: ReportsService, input: z.output<typeof reportExportInput>, printPdf?: PdfPrinter): Promise<z.input<typeof reportExportSchema>> {
  const { format, summary, ...request } = input;
  if (format === 'pdf' && !printPdf) throw new AppError('UNAVAILABLE', 'PDF export is not available in this window; export HTML or Markdown');
  const report = reports.build(request, summary === undefined ? undefined : { text: summary });
  const data = await reports.render(report, format, printPdf);
  const safeName = report.projectName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'project';
  return { fileName: `${safeName}-${report.week}.${format}`, mime: MIME[format], base64: Buffer.from(typeof data === 'string' ? data : data).toString('base64') };
}
