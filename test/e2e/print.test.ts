// Print and kiosk (issue 11): a service page prints as its list and nothing else — no header,
// navigation, banners, breadcrumbs, filter form or footer; one dense row per place; no link
// addresses after the names; the time of the list at the top. "Print this list" opens the print
// dialogue with JavaScript and the print view (`?view=print`) without it. In real Chromium.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** What a printed list must not show. */
const NOT_PRINTED: Record<string, string> = {
  'skip link': '.govuk-skip-link',
  header: 'body > header',
  navigation: 'nav[aria-label="Site"]',
  'alert banner': '[aria-label="Alerts"]',
  breadcrumbs: '.govuk-breadcrumbs',
  'filter form': 'form[role="search"]',
  footer: 'body > footer',
  '"Print this list" link': '.csa-print-link',
};
/** "Closures at 7:12am on Tuesday 1 December" */
const PRINT_HEADING = /^\S.* at \d{1,2}:\d{2}(am|pm) on (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+$/;

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function openPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  if (!browser || !server) throw new Error('The browser or server did not start');
  // About the width of A4 paper less its margins.
  const context = await newLocalContext(browser, server.url, { viewport: { width: 700, height: 1000 }, javaScriptEnabled: false, ...options });
  contexts.push(context);
  return context.newPage();
}

/** Which of the selectors match an element that is displayed (has a box) right now. */
async function displayed(page: Page, selectors: Record<string, string>): Promise<string[]> {
  return page.evaluate((list) => Object.entries(list).filter(([, selector]) =>
    [...document.querySelectorAll(selector)].some((el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0),
  ).map(([name]) => name), selectors);
}

describe('a service page on paper', () => {
  test('prints the list without header, navigation, banners, breadcrumbs, filter form or footer', async () => {
    const page = await openPage();
    await page.goto('/services/schools');
    // On screen they are all there (the print link too, once the page carries it).
    expect(await displayed(page, NOT_PRINTED)).toEqual(expect.arrayContaining(['header', 'navigation', 'alert banner', 'breadcrumbs', 'filter form', 'footer']));
    await page.emulateMedia({ media: 'print' });
    expect(await displayed(page, NOT_PRINTED)).toEqual([]);
    expect(await page.locator('main h1').isVisible()).toBe(true);
    const screenshot = await page.screenshot({ fullPage: true });
    const file = join(mkdtempSync(join(tmpdir(), 'csa-print-')), 'schools-print.png');
    writeFileSync(file, screenshot);
    console.log(`Print-media screenshot of /services/schools: ${file}`);
    expect(screenshot.length).toBeGreaterThan(1000);
  });

  test('prints one dense row per place, with no link addresses after the names', async () => {
    const page = await openPage();
    await page.goto('/services/schools');
    const medianHeight = (heights: number[]) => [...heights].sort((a, b) => a - b)[Math.floor(heights.length / 2)]!;
    const onScreen = medianHeight(await page.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height)));
    await page.emulateMedia({ media: 'print' });
    const rows = await page.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => {
      const cells = [...tr.children].map((cell) => cell.getBoundingClientRect());
      const link = tr.querySelector('a');
      return {
        display: getComputedStyle(tr).display,
        height: tr.getBoundingClientRect().height,
        sameLine: cells.every((cell) => Math.abs(cell.top - cells[0]!.top) < 1),
        after: link ? getComputedStyle(link, '::after').content : 'none',
      };
    }));
    expect(rows.length).toBeGreaterThan(100);
    expect(new Set(rows.map((r) => r.display))).toEqual(new Set(['table-row']));
    expect(rows.every((r) => r.sameLine)).toBe(true);
    expect(rows.filter((r) => r.after !== 'none' && r.after !== 'normal' && r.after !== '""')).toEqual([]);
    const median = medianHeight(rows.map((r) => r.height));
    console.log(`Rows: ${rows.length}; median height on screen ${onScreen.toFixed(1)} px, printed ${median.toFixed(1)} px`);
    // At most two lines of 12 px text for most places (a name and its area may wrap), and at
    // most half the height of the same row on screen.
    expect(median).toBeLessThanOrEqual(36);
    expect(median).toBeLessThanOrEqual(onScreen / 2);
  });

  test('prints the date and time of the list at the top, and only on paper', async () => {
    const page = await openPage();
    await page.goto('/services/schools');
    const heading = page.locator('.csa-print-heading');
    expect(await heading.count()).toBe(1);
    expect(await heading.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await heading.isVisible()).toBe(true);
    expect((await heading.innerText()).trim()).toMatch(PRINT_HEADING);
    const [headingBox, titleBox] = [await heading.boundingBox(), await page.locator('main h1').boundingBox()];
    expect(headingBox!.y).toBeLessThan(titleBox!.y);
  });
});

describe('"Print this list"', () => {
  test('without JavaScript, opens the print view of the same list', async () => {
    const page = await openPage();
    await page.goto('/services/schools?status=closed');
    const rowsOnScreen = await page.locator('main table tbody tr').count();
    await page.getByRole('link', { name: 'Print this list' }).click({ timeout: 5_000 });
    await page.waitForURL((url) => url.searchParams.get('view') === 'print');
    expect(new URL(page.url()).searchParams.get('status')).toBe('closed');
    expect(await displayed(page, NOT_PRINTED)).toEqual([]);
    expect(await page.locator('.csa-print-heading').isVisible()).toBe(true);
    expect(await page.locator('main table tbody tr').count()).toBe(rowsOnScreen);
    await page.getByRole('link', { name: 'Back to the full page' }).click();
    await page.waitForURL((url) => !url.searchParams.has('view'));
    expect(new URL(page.url()).searchParams.get('status')).toBe('closed');
  });

  test('with JavaScript, opens the print dialogue and stays on the page', async () => {
    const page = await openPage({ javaScriptEnabled: true });
    await page.addInitScript(() => {
      const w = window as unknown as { printed: number; print: () => void };
      w.printed = 0;
      w.print = () => { w.printed += 1; };
    });
    await page.goto('/services/schools');
    const before = page.url();
    await page.getByRole('link', { name: 'Print this list' }).click({ timeout: 5_000 });
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    expect(page.url()).toBe(before);
  });
});
