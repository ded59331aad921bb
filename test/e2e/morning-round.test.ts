// Issue 12's morning round, in a real browser on a 375 × 812 phone: a reporter (a school office)
// granted two schools signs in through the real form, lands on the Today page, confirms "Open
// today" for both in at most 4 taps, and each school's public page then says "Open" and
// "Confirmed at 6:52am today" (the time of the tap). The page has no axe violations and does not
// scroll sideways.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { placeGrants, places, services } from '../../db/schema/index.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { formatTime } from '../../src/lib/time/london.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let reporterEmail: string;
let schools: { id: number; name: string; slug: string }[];

const MAX_TAPS = 4;

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
  const [service] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  schools = [];
  for (const name of ['Hilltop Junior School', 'Riverside Infant School']) {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const { targetId } = await createContent(db.db, {
      kind: 'place',
      draft: {
        serviceId: service!.id, slug, identifier: null, name, category: 'Primary', address: '1 School Lane', postcode: 'HD1 1AA',
        ward: 'Morning Round', latitude: null, longitude: null, phone: '01484 000000', website: null,
        // Closed yesterday until the end of yesterday: it lapsed overnight.
        status: 'closed', noteMarkdown: 'Closed because of snow.', statusFrom: null,
        statusUntil: new Date(Date.now() - 3_600_000).toISOString(), reason: 'snow_and_ice', expectedReopeningAt: null,
        confirmedAt: new Date(Date.now() - 25 * 3_600_000).toISOString(), retired: false,
      },
    }, { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Added for the test' });
    schools.push({ id: targetId, name, slug });
  }
  const reporter = await createStaffAccount(db, 'reporter', 'School Office');
  reporterEmail = reporter.email;
  await db.db.insert(placeGrants).values(schools.map((s) => ({ accountId: reporter.id, placeId: s.id })));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

/** Counts what the person does after signing in: every tap. */
function counted(page: Page) {
  let n = 0;
  const tap = async (action: () => Promise<void>) => {
    n++;
    await action();
    await page.waitForLoadState();
  };
  return { tap, get count() { return n; } };
}

async function expectAxeClean(page: Page, what: string): Promise<void> {
  const violations = await runAxe(page);
  expect(violations, `axe found problems on ${what}:\n${describeViolations(violations)}`).toEqual([]);
}

describe('the morning round on a phone', () => {
  test('a reporter confirms "Open today" for both schools in at most 4 taps, and the public pages show it', async () => {
    const context = await newLocalContext(browser, server.url, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto('/staff/sign-in');
      await page.getByLabel('Email address').fill(reporterEmail);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).tap();
      // Reporters land on the Today page.
      await page.waitForURL(`${server.url}/staff/today`);
      await expect.poll(() => page.locator('#count-schools').textContent()).toBe('0 of 2 schools confirmed today');
      await expectAxeClean(page, 'the Today page');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      const steps = counted(page);
      for (const school of schools) {
        await steps.tap(() => page.locator(`#place-${school.id}`).getByRole('button', { name: /^Open today/ }).tap());
        await page.waitForURL(new RegExp(`/staff/today\\?confirmed=${school.id}&as=open#place-${school.id}$`));
        expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(`${school.name}: open today`);
      }
      expect(steps.count).toBeLessThanOrEqual(MAX_TAPS);
      console.log(`Morning round: ${steps.count} taps after signing in for ${schools.length} schools (budget ${MAX_TAPS}).`);
      expect(await page.locator('#count-schools').textContent()).toBe('2 of 2 schools confirmed today');
      await expectAxeClean(page, 'the Today page after a tap');

      for (const school of schools) {
        const [row] = await db.db.select().from(places).where(eq(places.id, school.id));
        expect(row!.status).toBe('open');
        await page.goto(`/services/schools/${school.slug}`);
        await expect.poll(() => page.locator('main .govuk-tag').first().textContent()).toBe('Open');
        await expect.poll(() => page.locator('main').textContent()).toContain(`Confirmed at ${formatTime(row!.confirmedAt!)} today`);
        // "Open today" cleared yesterday's closure note (it stays in the status history only).
        const current = (await page.locator('main').textContent())!.split('Status history')[0];
        expect(current).not.toContain('Closed because of snow.');
      }
    } finally {
      await context.close();
    }
  });
});
