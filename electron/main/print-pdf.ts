import { BrowserWindow } from 'electron';
import type { PdfPrinter } from '../../core/reports/pdf';

/**
 * Electron's adapter for report PDFs: a hidden, script-less, offline window loads the report's
 * self-contained HTML and prints it with webContents.printToPDF. Kept thin: everything else about
 * the report lives in core/reports, where Chromium prints the same HTML in tests and the CLI.
 */
export const electronPdfPrinter: PdfPrinter = async (html) => {
  const win = new BrowserWindow({ show: false, webPreferences: { partition: 'report-pdf', javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false } });
  try {
    // Its own partition: this filter must not replace the main window's.
    win.webContents.session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('data:') }));
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
  } finally {
    win.destroy();
  }
};
