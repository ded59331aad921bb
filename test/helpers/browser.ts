// Real headless Chromium for the end-to-end tests (Debian's /usr/bin/chromium driven by
// playwright-core, never a downloaded browser), and an axe-core accessibility check.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AxeResults, Result, RunOptions } from 'axe-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A browser context whose relative URLs resolve against the test server and which refuses every
 * request to any other origin, so a test can never reach the internet by following a link.
 */
export async function newLocalContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ...options, baseURL });
  const origin = new URL(baseURL).origin;
  await context.route(
    (url) => url.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

/** WCAG 2.0, 2.1 and 2.2 levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let axeSource: string | undefined;
function readAxeSource(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core on the page as it is now and returns the violations. The site's
 * Content-Security-Policy forbids inline scripts, so the page's context must be created with
 * `bypassCSP: true`.
 */
export async function runAxe(page: Page): Promise<Result[]> {
  await page.addScriptTag({ content: readAxeSource() });
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) throw new Error('axe-core did not load: create the browser context with { bypassCSP: true }');
  const options: RunOptions = { runOnly: { type: 'tag', values: WCAG_TAGS } };
  const results = await page.evaluate(
    (runOptions) => (window as unknown as { axe: { run: (c: Document, o: RunOptions) => Promise<AxeResults> } }).axe.run(document, runOptions),
    options,
  );
  return results.violations;
}

/** Violations as readable lines for an assertion message. */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`);
      return `${v.id} (${v.impact ?? 'no impact'}): ${v.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}
