import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { fixture } from './fixture';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** A page in a headless Chromium with a fresh, throwaway profile; closed after the suite. */
export function useBrowserPage(): { page: Page } {
  return fixture('useBrowserPage', async (teardown) => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    teardown.add(() => browser.close());
    // The page is served with the dev CA, which this throwaway browser profile does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    return { page: await context.newPage() };
  });
}
