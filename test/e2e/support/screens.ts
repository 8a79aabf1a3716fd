/** The same phone screen photographed in light and in dark (the page's colour scheme is switched, then set back to light). */
import type { Page } from 'playwright-core';
import { screenshot } from './browser';

export async function screenshotLightAndDark(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}
