// What a resident does on a snow morning, in a real browser against the real built server and a
// database loaded with the demo council: find a school, filter, see the alert, use a small phone.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { loadDemoContent, resolveOffset, type DemoPlace } from '../../src/lib/content/demo.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;

/** A school the scenario marks closed, and part of its name that no other school's name contains. */
let closedSchool: DemoPlace;
let searchTerm: string;
let closedSchoolCount: number;
let severeHeadline: string;

function pickSearchTerm(school: DemoPlace, all: readonly DemoPlace[]): string {
  const words = school.name.split(' ');
  const others = all.filter((p) => p.slug !== school.slug).map((p) => p.name.toLowerCase());
  for (let n = 1; n < words.length; n++) {
    const prefix = words.slice(0, n).join(' ');
    if (!others.some((name) => name.includes(prefix.toLowerCase()))) return prefix;
  }
  return words.slice(0, -1).join(' ');
}

beforeAll(async () => {
  const content = await loadDemoContent();
  const schools = content.services.find((s) => s.slug === 'schools')?.places ?? [];
  const now = new Date();
  // Closed now: a status set "until" a time already past has lapsed to "Not confirmed".
  const closedEntries = content.scenario.places.filter(
    (p) => p.service === 'schools' && p.status === 'closed' && (!p.until || resolveOffset(p.until, now) > now),
  );
  closedSchoolCount = closedEntries.length;
  const candidates = closedEntries.flatMap((entry) => schools.filter((s) => s.slug === entry.place));
  // Prefer a school whose name has a short distinctive part, like a resident would type.
  const [first] = candidates
    .map((school) => ({ school, term: pickSearchTerm(school, schools) }))
    .sort((a, b) => a.term.split(' ').length - b.term.split(' ').length);
  if (!first) throw new Error('The demo scenario has no closed school to look for');
  closedSchool = first.school;
  searchTerm = first.term;
  const severe = content.scenario.alerts.find((a) => a.severity === 'severe');
  if (!severe) throw new Error('The demo scenario has no severe alert');
  severeHeadline = severe.headline;

  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
  if (!browser || !server) throw new Error('The browser and server did not start');
  const context = await newLocalContext(browser, server.url, options);
  return context.newPage();
}

async function activeElementText(page: Page): Promise<string> {
  return page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '');
}

/** Presses Tab until the focused element passes `check`, or fails after `limit` presses. */
async function tabUntil(page: Page, what: string, check: () => Promise<boolean>, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await check()) return;
  }
  throw new Error(`Tabbing ${limit} times never reached ${what}`);
}

function schoolPath(): string {
  return `/services/schools/${closedSchool.slug}`;
}

describe('a resident on a snow morning', () => {
  test('a resident finds a named school\'s status by search with JavaScript disabled', async () => {
    const page = await openPage({ javaScriptEnabled: false });
    try {
      await page.goto('/');
      // The home page's list of services (the navigation has a link of the same name).
      await page.getByRole('main').getByRole('link', { name: 'Schools', exact: true }).click();
      await page.waitForURL('**/services/schools');

      await page.getByLabel('Search by name, postcode or area').fill(searchTerm);
      await page.getByRole('button', { name: 'Show schools' }).click();
      await page.waitForURL((url) => url.searchParams.get('q') === searchTerm);

      const row = page.locator('table tbody tr').filter({ has: page.getByRole('link', { name: closedSchool.name, exact: true }) });
      await expect(row.count()).resolves.toBe(1);
      await expect(row.locator('[data-label="Status"] .govuk-tag').innerText()).resolves.toBe('Closed');

      await row.getByRole('link', { name: closedSchool.name, exact: true }).click();
      await page.waitForURL(`**${schoolPath()}`);
      await expect(page.locator('h1').innerText()).resolves.toBe(closedSchool.name);
      await expect(page.locator('main').getByText('Status:').locator('.govuk-tag').innerText()).resolves.toBe('Closed');
    } finally {
      await page.context().close();
    }
  });

  test('a resident finds a school by keyboard alone', async () => {
    const page = await openPage();
    try {
      await page.goto('/');

      await page.keyboard.press('Tab');
      await expect(activeElementText(page)).resolves.toBe('Skip to main content');

      await tabUntil(page, 'the Schools link', async () => (await activeElementText(page)) === 'Schools');
      await Promise.all([page.waitForURL('**/services/schools'), page.keyboard.press('Enter')]);

      await tabUntil(page, 'the search box', () => page.evaluate(() => document.activeElement?.id === 'filter-q'));
      const label = await page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.innerText.trim());
      expect(label).toBe('Search by name, postcode or area');
      await page.keyboard.type(searchTerm);
      await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === searchTerm), page.keyboard.press('Enter')]);

      await tabUntil(page, `the link to ${closedSchool.name}`, async () => (await activeElementText(page)) === closedSchool.name, 80);
      await Promise.all([page.waitForURL(`**${schoolPath()}`), page.keyboard.press('Enter')]);
      await expect(page.locator('h1').innerText()).resolves.toBe(closedSchool.name);
    } finally {
      await page.context().close();
    }
  });

  test('the status filter narrows the table', async () => {
    const page = await openPage({ javaScriptEnabled: false });
    try {
      await page.goto('/services/schools');
      const allRows = await page.locator('table tbody tr').count();

      await page.getByLabel('Status', { exact: true }).selectOption({ value: 'closed' });
      await page.getByRole('button', { name: 'Show schools' }).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'closed');

      const tags = await page.locator('table tbody tr [data-label="Status"] .govuk-tag').allInnerTexts();
      expect(tags.length).toBe(closedSchoolCount);
      expect(tags.length).toBeLessThan(allRows);
      expect(new Set(tags)).toEqual(new Set(['Closed']));
      const heading = await page.locator('h2#results').innerText();
      expect(heading).toMatch(/^\d+ of \d+ schools match$/);
      expect(Number(heading.split(' ')[0])).toBe(tags.length);
    } finally {
      await page.context().close();
    }
  });

  test('the emergency banner is in the server HTML', async () => {
    const page = await openPage({ javaScriptEnabled: false });
    try {
      for (const path of ['/', '/services/schools', schoolPath()]) {
        await page.goto(path);
        const banner = page.getByRole('region', { name: 'Alerts' }).getByRole('link', { name: severeHeadline, exact: true });
        await expect(banner.isVisible(), `the severe alert on ${path}`).resolves.toBe(true);
      }
    } finally {
      await page.context().close();
    }
  });

  test('pages work at 320 px wide', async () => {
    const page = await openPage({ viewport: { width: 320, height: 640 } });
    try {
      for (const path of ['/', '/services/schools', schoolPath()]) {
        await page.goto(path);
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth, `page width of ${path}`).toBeLessThanOrEqual(320);
        await expect(page.locator('h1').isVisible(), `the heading on ${path}`).resolves.toBe(true);
      }
    } finally {
      await page.context().close();
    }
  });
});
