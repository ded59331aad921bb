// Real headless Chromium for the end-to-end tests, driven by playwright-core (never a browser
// downloaded at test time), and an axe-core accessibility check. The browser is the system's
// Chromium when there is one (CHROMIUM_PATH, else /usr/bin/chromium), otherwise the Chromium
// that `npm install` brought inside @sparticuz/chromium — so `npm test` needs no root and no
// system browser.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AxeResults, Result, RunOptions } from 'axe-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export interface ChosenBrowser {
  executablePath: string;
  /** Where it came from, for the one-line notice: "system" or "npm (@sparticuz/chromium)". */
  source: 'system' | 'npm';
  /** Extra environment for the browser process (shared libraries the npm build carries). */
  env: Record<string, string>;
}

/** Libraries the binary needs that this machine lacks, as ldd reports them. */
function missingLibraries(executable: string): string[] {
  try {
    const out = execFileSync('ldd', [executable], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.includes('not found')).map((line) => line.trim().split(' ')[0]!);
  } catch {
    return [];
  }
}

/**
 * The npm build: @sparticuz/chromium unpacks its brotli-compressed binary (and fonts) into the
 * temporary folder on first use. It also carries the NSS libraries of the system it was built
 * for; they are put on the library path only when this machine lacks its own.
 */
async function npmChromium(): Promise<ChosenBrowser> {
  const { default: Chromium, inflate } = await import('@sparticuz/chromium');
  const executablePath = await Chromium.executablePath();
  const env: Record<string, string> = {};
  if (missingLibraries(executablePath).length > 0) {
    const bin = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', 'bin');
    const libs = await inflate(join(bin, 'al2023.tar.br'));
    env.LD_LIBRARY_PATH = [join(libs, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const still = missingLibraries(executablePath);
    if (still.length > 0) throw new Error(`The npm Chromium needs libraries this machine lacks: ${still.join(', ')}`);
  }
  return { executablePath, source: 'npm', env };
}

let chosen: Promise<ChosenBrowser> | undefined;

/** Picks the browser once per test process and says which in one line. */
export function chooseBrowser(): Promise<ChosenBrowser> {
  chosen ??= (async () => {
    const configured = process.env.CHROMIUM_PATH;
    const systemPath = configured || SYSTEM_CHROMIUM;
    if (existsSync(systemPath)) {
      console.log(`Browser tests use the system Chromium at ${systemPath}.`);
      return { executablePath: systemPath, source: 'system', env: {} } satisfies ChosenBrowser;
    }
    const browser = await npmChromium();
    console.log(
      `${configured ? `CHROMIUM_PATH=${configured} does not exist` : `No system Chromium at ${SYSTEM_CHROMIUM}`}: ` +
        `browser tests use the Chromium from npm (@sparticuz/chromium) at ${browser.executablePath}.`,
    );
    return browser;
  })();
  return chosen;
}

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = await chooseBrowser();
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: { ...process.env, ...env } as Record<string, string> });
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
