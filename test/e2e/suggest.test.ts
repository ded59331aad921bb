// A resident suggesting an update in real Chromium with JavaScript switched off, and axe-core
// finding no WCAG 2.2 A or AA problems on the suggestion forms (also with errors shown, and with
// the hidden "leave this empty" trap in the page) and on the tracking page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { alerts, pages, places } from '../../db/schema/index.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
/** JavaScript off, as for a resident on a bad connection. */
let noScript: BrowserContext | undefined;
/** For axe, which is injected as a script. */
let checking: BrowserContext | undefined;
let place: typeof places.$inferSelect;

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  [place] = (await db.db.select().from(places).where(eq(places.slug, 'holmfirth-high-school'))) as [typeof places.$inferSelect];
  server = await startServer(db.url, { SUGGESTION_MIN_FILL_SECONDS: '0' });
  browser = await launchBrowser();
  noScript = await newLocalContext(browser, server.url, { javaScriptEnabled: false });
  checking = await newLocalContext(browser, server.url, { bypassCSP: true });
});

afterAll(async () => {
  await noScript?.close();
  await checking?.close();
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function expectNoViolations(page: Page, what: string): Promise<void> {
  const violations = await runAxe(page);
  expect(violations, `axe found problems on ${what}:\n${describeViolations(violations)}`).toEqual([]);
}

async function checkPath(path: string, expectedStatus = 200): Promise<void> {
  const page = await checking!.newPage();
  try {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(expectedStatus);
    await expectNoViolations(page, path);
  } finally {
    await page.close();
  }
}

describe('a resident suggesting an update without JavaScript', () => {
  test('goes from a school page to a tracking page that says the suggestion waits to be checked', async () => {
    const page = await noScript!.newPage();
    try {
      await page.goto(`/services/schools/${place.slug}`);
      await page.getByRole('link', { name: 'Suggest an update' }).click();
      await page.getByLabel('Open', { exact: true }).check();
      await page.getByLabel('More details (optional)').fill('The sign on the gate says the school is open.');
      await page.getByRole('button', { name: 'Send suggestion' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter how you know');
      expect(await page.getByLabel('More details (optional)').inputValue()).toBe('The sign on the gate says the school is open.');
      await page.getByLabel('How do you know?').fill('I walked past the gate');
      await page.getByRole('button', { name: 'Send suggestion' }).click();
      await page.waitForURL(/\/suggestions\/[a-z2-7]{32}/);
      expect(await page.locator('#suggestion-state').textContent()).toContain('Waiting to be checked');
      expect(await page.locator('#suggestion-proposal').textContent()).toContain('The sign on the gate says the school is open.');
    } finally {
      await page.close();
    }
  });

  test('tells us a place is missing in two steps', async () => {
    const page = await noScript!.newPage();
    try {
      await page.goto('/services/libraries');
      await page.getByRole('link', { name: 'Tell us something is missing' }).click();
      await page.getByLabel('A place is missing from a list').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await page.getByLabel('Which list is it missing from?').inputValue()).toBe('libraries');
      await page.getByLabel('Name of the place').fill('Shelley Community Library');
      await page.getByLabel('Closed', { exact: true }).check();
      await page.getByLabel('How do you know?').fill('I volunteer there');
      await page.getByRole('button', { name: 'Send suggestion' }).click();
      await page.waitForURL(/\/suggestions\/[a-z2-7]{32}/);
      expect(await page.locator('#suggestion-proposal').textContent()).toContain('Shelley Community Library');
    } finally {
      await page.close();
    }
  });
});

describe('accessibility of the suggestion pages (WCAG 2.2 AA, axe-core)', () => {
  test('the form for a place has no accessibility problems, with or without errors', async () => {
    await checkPath(`/suggest?target=place:${place.id}`);
    const page = await checking!.newPage();
    try {
      await page.goto(`/suggest?target=place:${place.id}`);
      await page.getByLabel('Email address (optional)').fill('not an email');
      await page.getByRole('button', { name: 'Send suggestion' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').count()).toBe(1);
      await expectNoViolations(page, 'the place form with errors');
    } finally {
      await page.close();
    }
  });

  test('the forms for an alert and a page have no accessibility problems', async () => {
    const [alert] = await db!.db.select().from(alerts).limit(1);
    const [info] = await db!.db.select().from(pages).where(eq(pages.slug, 'bad-weather-advice'));
    await checkPath(`/suggest?target=alert:${alert!.id}`);
    await checkPath(`/suggest?target=page:${info!.id}`);
  });

  test('the “something is missing” pages have no accessibility problems', async () => {
    await checkPath('/suggest?target=new');
    await checkPath('/suggest?target=new&chose=1', 400);
    await checkPath('/suggest?target=new&missing=place&service=schools');
    await checkPath('/suggest?target=new&missing=information');
  });

  test('the page for an unknown target has no accessibility problems', async () => {
    await checkPath('/suggest?target=place:999999', 404);
  });

  test('the tracking page has no accessibility problems', async () => {
    const page = await checking!.newPage();
    try {
      await page.goto('/suggest?target=new&missing=information');
      await page.getByLabel('Headline').fill('Grit bin empty on Moor Lane');
      await page.getByLabel('Details').fill('Empty since Tuesday');
      await page.getByLabel('How do you know?').fill('I live next to it');
      await page.getByRole('button', { name: 'Send suggestion' }).click();
      await page.waitForURL(/\/suggestions\/[a-z2-7]{32}/);
      await expectNoViolations(page, 'the tracking page');
    } finally {
      await page.close();
    }
  });
});
