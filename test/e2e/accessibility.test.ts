// axe-core finds no WCAG 2.2 A or AA problems on the pages residents use, in real Chromium
// against the real built server and the demo council.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadDemoContent, resolveOffset } from '../../src/lib/content/demo.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let closedSchoolPath: string;
let severeHeadline: string;

beforeAll(async () => {
  const content = await loadDemoContent();
  const now = new Date();
  const closed = content.scenario.places.find(
    (p) => p.service === 'schools' && p.status === 'closed' && (!p.until || resolveOffset(p.until, now) > now),
  );
  if (!closed) throw new Error('The demo scenario has no closed school');
  closedSchoolPath = `/services/schools/${closed.place}`;
  const severe = content.scenario.alerts.find((a) => a.severity === 'severe');
  if (!severe) throw new Error('The demo scenario has no severe alert');
  severeHeadline = severe.headline;

  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
  // The site's Content-Security-Policy forbids inline scripts; axe is injected as one.
  context = await newLocalContext(browser, server.url, { bypassCSP: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function expectNoViolations(path: string | ((page: Page) => Promise<string>), expectedStatus = 200): Promise<void> {
  if (!context) throw new Error('The browser did not start');
  const page: Page = await context.newPage();
  try {
    const target = typeof path === 'string' ? path : await path(page);
    const response = await page.goto(target);
    expect(response?.status(), `HTTP status of ${target}`).toBe(expectedStatus);
    // Without the stylesheet, axe would judge an unstyled page (contrast, target sizes).
    const stylesheets = await page.evaluate(() => [...document.styleSheets].map((sheet) => sheet.cssRules.length));
    expect(stylesheets.length > 0 && stylesheets.every((rules) => rules > 0), `the stylesheet loaded on ${target}`).toBe(true);
    const violations = await runAxe(page);
    expect(violations, `axe found problems on ${target}:\n${describeViolations(violations)}`).toEqual([]);
  } finally {
    await page.close();
  }
}

describe('accessibility (WCAG 2.2 AA, axe-core)', () => {
  test('the home page has no accessibility problems', async () => {
    await expectNoViolations('/');
  });

  test('the schools page has no accessibility problems', async () => {
    await expectNoViolations('/services/schools');
  });

  test('the schools page filtered to closed schools has no accessibility problems', async () => {
    await expectNoViolations('/services/schools?status=closed');
  });

  test('a school page has no accessibility problems', async () => {
    await expectNoViolations(closedSchoolPath);
  });

  test('the severe alert page has no accessibility problems', async () => {
    await expectNoViolations(async (page) => {
      await page.goto('/');
      const href = await page.getByRole('link', { name: severeHeadline, exact: true }).getAttribute('href');
      expect(href).toMatch(/^\/alerts\/\d+$/);
      return href!;
    });
  });

  test('the accessibility statement has no accessibility problems', async () => {
    await expectNoViolations('/pages/accessibility-statement');
  });

  test('the page-not-found page has no accessibility problems', async () => {
    await expectNoViolations('/no-such-page', 404);
  });
});
