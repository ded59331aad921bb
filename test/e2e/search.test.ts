// Looking a place up, in real Chromium against the real built server and the demo council: on a
// 320×640 phone with JavaScript off, the home page's lookup lands on its results — the first
// result in view — for a misspelt name and for a postcode; the results page has no
// accessibility problems; and with JavaScript and geolocation, "Use my location" finds the
// nearest places.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PHONE = { width: 320, height: 640 };
const LOOKUP_LABEL = 'School or place name, URN or postcode';

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
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

/**
 * True when the element's box lies wholly inside the viewport as it is scrolled now (within a
 * pixel: scrolling to a fragment can leave its target's top a fraction of a pixel above).
 */
async function whollyInView(page: Page, element: Locator): Promise<boolean> {
  const box = await element.boundingBox();
  const viewport = page.viewportSize()!;
  return box !== null && box.y >= -1 && box.x >= 0 && box.y + box.height <= viewport.height && box.x + box.width <= viewport.width;
}

/** Types into the home page's lookup and submits it, as a resident would. */
async function lookUp(page: Page, text: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel(LOOKUP_LABEL).fill(text);
  await Promise.all([page.waitForURL((url) => url.pathname === '/find' && url.searchParams.get('q') === text), page.getByRole('button', { name: 'Find', exact: true }).click()]);
  await page.waitForLoadState('load');
}

const firstResult = (page: Page) => page.locator('#results ~ section table tbody tr').first();

describe('the lookup on a phone without JavaScript', () => {
  for (const { typed, expected } of [
    { typed: 'Colne Valey High', expected: 'Colne Valley High School' },
    { typed: 'HD9 3TP', expected: 'Netherthong Primary School' },
  ]) {
    test(`"${typed}" lists ${expected} first, in view as soon as the results open`, async () => {
      const page = await openPage({ javaScriptEnabled: false, viewport: PHONE });
      try {
        await lookUp(page, typed);
        expect(new URL(page.url()).hash).toBe('#results');
        const row = firstResult(page);
        const name = row.locator('th a');
        await expect(name.innerText()).resolves.toBe(expected);
        // Measured, not eyeballed: the first result's name and status are wholly on screen.
        await expect.poll(() => whollyInView(page, name), { timeout: 5_000 }).toBe(true);
        await expect(whollyInView(page, row.locator('.govuk-tag').first())).resolves.toBe(true);
        await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(PHONE.width);
      } finally {
        await page.context().close();
      }
    });
  }

  test('the status page search lands on its results too', async () => {
    const page = await openPage({ javaScriptEnabled: false, viewport: PHONE });
    try {
      await page.goto('/services/schools');
      await page.getByLabel('Search by name, postcode or area').fill('colne');
      await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === 'colne'), page.getByRole('button', { name: 'Show schools' }).click()]);
      await page.waitForLoadState('load');
      const heading = page.locator('h2#results');
      await expect(heading.innerText()).resolves.toMatch(/^\d+ schools match “colne”$/);
      await expect.poll(() => whollyInView(page, heading), { timeout: 5_000 }).toBe(true);
      await expect(whollyInView(page, page.locator('table tbody tr th a').first())).resolves.toBe(true);
    } finally {
      await page.context().close();
    }
  });

  test('there is no "Use my location" button without JavaScript', async () => {
    const page = await openPage({ javaScriptEnabled: false });
    try {
      await page.goto('/');
      await expect(page.getByRole('button', { name: 'Use my location' }).count()).resolves.toBe(0);
    } finally {
      await page.context().close();
    }
  });
});

describe('accessibility of the lookup (WCAG 2.2 AA, axe-core)', () => {
  for (const path of ['/find?q=Colne+Valey+High', '/find?q=HD9+3TP', '/find?q=HD99', '/find']) {
    test(`${path} has no accessibility problems`, async () => {
      // axe is injected as an inline script, which the site's policy forbids: bypass it for axe.
      const page = await openPage({ bypassCSP: true, viewport: PHONE });
      try {
        await page.goto(path);
        const violations = await runAxe(page);
        expect(violations, `axe found problems on ${path}:\n${describeViolations(violations)}`).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  }
});

describe('"Use my location", where JavaScript and geolocation are available', () => {
  // Beside Colne Valley High School.
  const here: BrowserContextOptions = { permissions: ['geolocation'], geolocation: { latitude: 53.5969, longitude: -1.9207 }, viewport: PHONE };

  test('finds the places nearest the browser\'s location', async () => {
    const page = await openPage(here);
    try {
      await page.goto('/');
      const button = page.getByRole('button', { name: 'Use my location' });
      await button.waitFor({ timeout: 5_000 });
      await Promise.all([page.waitForURL((url) => url.pathname === '/find' && url.searchParams.has('near')), button.click()]);
      // Rounded to about 100 m before it leaves the browser.
      expect(new URL(page.url()).searchParams.get('near')).toBe('53.597,-1.921');
      await expect(page.locator('#results').innerText()).resolves.toBe('Nearest to your location');
      await expect(firstResult(page).locator('th a').innerText()).resolves.toBe('Colne Valley High School');
    } finally {
      await page.context().close();
    }
  });

  test('the home page with the button has no accessibility problems', async () => {
    const page = await openPage({ ...here, bypassCSP: true });
    try {
      await page.goto('/');
      await page.getByRole('button', { name: 'Use my location' }).waitFor({ timeout: 5_000 });
      const violations = await runAxe(page);
      expect(violations, `axe found problems:\n${describeViolations(violations)}`).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
