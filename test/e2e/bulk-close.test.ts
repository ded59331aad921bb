// Issue 12's morning, in a real browser: an editor marks 40 schools closed "until end of today"
// in at most 8 interactions after signing in (the action panel comes first, the list is filtered
// and "Select all 40 shown" ticks them, a confirmation lists them), sees the list of the 40, then
// undoes the whole change set in one confirmed step — and the public page, the feeds and the API
// follow each step. On a desktop and on a 375 px phone, and with JavaScript off.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { services } from '../../db/schema/index.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let editorEmail: string;
let schoolsServiceId: number;

const MAX_INTERACTIONS = 8;

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
  editorEmail = (await createStaffAccount(db, 'editor', 'Ed Editor')).email;
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  schoolsServiceId = schools!.id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

/** Forty schools, not confirmed, in a ward of their own so a filter shows exactly them. */
async function fortySchoolsIn(ward: string): Promise<{ id: number; name: string; slug: string }[]> {
  const made = [];
  for (let i = 1; i <= 40; i++) {
    const name = `${ward} Primary School ${i}`;
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const { targetId } = await createContent(db.db, {
      kind: 'place',
      draft: {
        serviceId: schoolsServiceId, slug, identifier: null, name, category: 'Primary', address: `${i} School Lane`, postcode: 'HD1 1AA',
        ward, latitude: null, longitude: null, phone: null, website: null, status: 'unknown', noteMarkdown: '', statusFrom: null, statusUntil: null,
        reason: null, expectedReopeningAt: null, confirmedAt: null, retired: false,
      },
    }, { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Added for the test' });
    made.push({ id: targetId, name, slug });
  }
  return made;
}

/** Counts what the person does: every click, fill, selectOption, check and key press. */
function counted(page: Page) {
  let n = 0;
  const step = async <T>(action: () => Promise<T>): Promise<T> => {
    n++;
    const result = await action();
    await page.waitForLoadState();
    return result;
  };
  return { step, get count() { return n; } };
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.getByLabel('Email address').fill(editorEmail);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/staff`);
}

async function publicStatuses(ward: string): Promise<string[]> {
  const html = await (await fetch(`${server.url}/services/schools?ward=${encodeURIComponent(ward)}`)).text();
  return html.split('<tr').slice(1).filter((r) => r.includes(`${ward} Primary School`)).map((r) => /govuk-tag[^>]*>([^<]+)</.exec(r)?.[1] ?? '');
}

async function apiStatus(id: number): Promise<string> {
  const body = (await (await fetch(`${server.url}/api/v1/places/${id}`)).json()) as { place: { status: string } };
  return body.place.status;
}

async function journey(options: BrowserContextOptions, ward: string): Promise<number> {
  const schools = await fortySchoolsIn(ward);
  const context = await newLocalContext(browser, server.url, options);
  const page = await context.newPage();
  try {
    await signIn(page);
    const me = counted(page);
    await me.step(() => page.getByRole('link', { name: 'Schools' }).first().click());
    await me.step(() => page.getByLabel('Area (ward)').selectOption(ward));
    await me.step(() => page.getByRole('button', { name: 'Show schools' }).click());
    await me.step(() => page.getByRole('button', { name: 'Select all 40 shown' }).click());
    await me.step(() => page.getByLabel('New status').selectOption('closed'));
    await me.step(() => page.getByLabel(/^End of today/).check());
    await me.step(() => page.getByRole('button', { name: 'Review changes to the selected schools' }).first().click());
    expect(await page.locator('#confirm-places tbody tr').count()).toBe(40);
    expect(await page.locator('#confirm-summary').textContent()).toMatch(/40 schools will change to ‘Closed’ until 11:59pm today/);
    await me.step(() => page.getByRole('button', { name: 'Confirm: closed 40 schools' }).click());
    console.log(`${options.javaScriptEnabled === false ? 'JavaScript off' : `${options.viewport?.width ?? 1280} px`}: 40 schools closed in ${me.count} interactions after sign-in`);
    expect(me.count).toBeLessThanOrEqual(MAX_INTERACTIONS);

    // The result lists the 40, with links.
    expect(await page.locator('#outcome .govuk-notification-banner__heading').textContent()).toContain('40 schools updated to ‘Closed’');
    const links = await page.locator('#outcome-changed a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(schools.map((s) => `/staff/places/${s.id}`).sort());
    expect(await publicStatuses(ward)).toEqual(Array(40).fill('Closed'));
    expect(await apiStatus(schools[0]!.id)).toBe('closed');
    const feed = await (await fetch(`${server.url}/feeds/schools.rss`)).text();
    expect(feed).toContain(`${schools[39]!.name}: Closed`);

    // Undo the whole change set, in one confirmed step.
    await page.getByRole('link', { name: 'See this change, or undo it in one step' }).click();
    await page.getByRole('link', { name: 'Undo this change' }).click();
    expect(await page.locator('#undo').textContent()).toContain('40 items go back to how they were before this change');
    await page.getByRole('button', { name: 'Yes, undo all 40' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#outcome').textContent()).toContain('Undone: 40 items are back as they were');
    expect(await page.locator('h1').textContent()).toBe(`Undid “Closed 40 schools”`);
    expect(await publicStatuses(ward)).toEqual(Array(40).fill('Not confirmed'));
    expect(await apiStatus(schools[0]!.id)).toBe('unknown');
    const after = await (await fetch(`${server.url}/feeds/schools.rss`)).text();
    expect(after.split('<item>')[1] ?? '').toContain(': Not confirmed');

    // Recent changes shows both sets; the first says it was undone.
    await page.getByRole('link', { name: 'Recent changes' }).first().click();
    const rows = await page.locator('#change-sets tbody tr').allTextContents();
    expect(rows[0]).toContain('Undid “Closed 40 schools”');
    expect(rows[1]).toMatch(/Closed 40 schools\s*Ed Editor.*Undone/);
    return me.count;
  } finally {
    await context.close();
  }
}

describe('closing 40 schools on a snow morning, and undoing it', () => {
  test('on a desktop', async () => {
    await journey({ viewport: { width: 1280, height: 800 } }, 'Snowfield Desktop');
  });

  test('on a 375 px phone', async () => {
    await journey({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }, 'Snowfield Phone');
  });

  test('with JavaScript off', async () => {
    await journey({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false }, 'Snowfield NoScript');
  });
});
