// The web team on a snow morning, in a real browser: an editor signs in, marks five schools
// closed in one go (reviewed, then confirmed), sees the public page follow at once, then reverts
// one from its history page — and the public page and the feeds follow that too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { places, services } from '../../db/schema/index.ts';
import { launchBrowser, newLocalContext } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, TEST_PASSWORD } from '../helpers/staff.ts';

let db: TestDb;
let server: TestServer;
let browser: Browser;
let page: Page;
let editorEmail: string;
/** Five schools that are not closed at the start. */
let chosen: { id: number; name: string; slug: string }[];

beforeAll(async () => {
  db = await createTestDb({ seed: true });
  server = await startServer(db.url);
  browser = await launchBrowser();
  editorEmail = (await createStaffAccount(db, 'editor', 'Eddie Editor')).email;
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  const rows = await db.db.select().from(places).where(eq(places.serviceId, schools!.id)).orderBy(places.name);
  chosen = rows.filter((p) => p.status === 'unknown').slice(0, 5).map((p) => ({ id: p.id, name: p.name, slug: p.slug }));
  const context = await newLocalContext(browser, server.url);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

async function publicStatusOf(name: string): Promise<string> {
  const response = await fetch(`${server.url}/services/schools?q=${encodeURIComponent(name)}`);
  const html = await response.text();
  const row = html.split('<tr').find((r) => r.includes(`>${name}</a>`)) ?? '';
  return /govuk-tag[^>]*>([^<]+)</.exec(row)?.[1] ?? '';
}

async function signIn(): Promise<void> {
  await page.goto('/staff');
  await expect.poll(() => page.url()).toContain('/staff/sign-in');
  await page.getByLabel('Email address').fill(editorEmail);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/staff`);
  expect(await page.locator('h1').textContent()).toContain('Eddie Editor');
}

/** Marks five schools closed in one go; the public page shows them on the next request. */
async function bulkCloseFiveSchools(): Promise<void> {
  await page.getByRole('link', { name: 'Schools' }).first().click();
  await page.waitForURL(/\/staff\/services\/schools/);
  for (const school of chosen) await page.locator(`#place-${school.id}`).check();
  await page.getByLabel('New status').selectOption('closed');
  await page.getByLabel('Note for the public (optional)').fill('Closed today because of snow.');
  await page.getByLabel('Summary of your changes').fill('Snow closures');
  await page.getByRole('button', { name: 'Review changes to the selected schools' }).first().click();
  await page.waitForLoadState();
  // The confirmation lists the five before anything is saved.
  expect(await page.locator('#confirm-places tbody tr').count()).toBe(5);
  await page.getByRole('button', { name: 'Confirm: closed 5 schools' }).click();
  await page.waitForLoadState();
  expect(await page.locator('.govuk-notification-banner').textContent()).toMatch(/5 schools updated/);
  for (const school of chosen) expect(await publicStatusOf(school.name), school.name).toBe('Closed');
}

/** Reverts one school from its history page; the public page, the feed and the API follow. */
async function revertOneSchool(): Promise<void> {
  const school = chosen[0]!;
  await page.goto(`/staff/history/place/${school.id}`);
  await page.getByRole('button', { name: /Revert to this version/ }).first().click();
  await page.waitForLoadState();
  // The confirmation step shows what will change before anything is saved.
  expect(await page.locator('h1').textContent()).toMatch(/^Revert this place to revision \d+\?$/);
  await page.getByRole('button', { name: 'Yes, revert' }).click();
  await page.waitForLoadState();
  expect(await page.locator('.govuk-notification-banner').textContent()).toMatch(/revert/i);
  expect(await publicStatusOf(school.name)).toBe('Not confirmed');
  for (const other of chosen.slice(1)) expect(await publicStatusOf(other.name), other.name).toBe('Closed');
  const feed = await (await fetch(`${server.url}/feeds/schools.rss`)).text();
  const newest = feed.split('<item>')[1] ?? '';
  expect(newest).toContain(`${school.name}: Not confirmed`);
  const api = (await (await fetch(`${server.url}/api/v1/places/${school.id}`)).json()) as { place: { status: string } };
  expect(api.place.status).toBe('unknown');
}

describe('an editor on a snow morning', () => {
  // One journey, in order, as a person would do it: each step needs the one before.
  test('signs in, closes five schools at once, reverts one, and the public site follows each step', async () => {
    await signIn();
    await bulkCloseFiveSchools();
    await revertOneSchool();
  });
});
