import { AppError } from '../common/errors';

/** Turns a self-contained HTML page into PDF bytes (Electron's printToPDF on the desktop, Chromium here). */
export type PdfPrinter = (html: string) => Promise<Uint8Array>;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * The CLI's printer: headless Chromium through playwright-core (COORDINATOR_CHROMIUM, else
 * CHROMIUM_PATH, else /usr/bin/chromium). The page has no scripts and loads nothing from the
 * network; JavaScript is off anyway.
 */
export function chromiumPrinter(env: NodeJS.ProcessEnv = process.env): PdfPrinter {
  const executablePath = env.COORDINATOR_CHROMIUM ?? env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return async (html) => {
    let playwright: typeof import('playwright-core');
    try {
      playwright = await import('playwright-core');
    } catch {
      throw new AppError('UNAVAILABLE', 'PDF export needs playwright-core and Chromium; use --format html or md, or install them');
    }
    let browser: import('playwright-core').Browser;
    try {
      browser = await playwright.chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    } catch (error) {
      throw new AppError('UNAVAILABLE', `Cannot start Chromium at ${executablePath} for the PDF (set COORDINATOR_CHROMIUM): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, colorScheme: 'light' });
      const page = await context.newPage();
      await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } });
    } finally {
      await browser.close();
    }
  };
}
