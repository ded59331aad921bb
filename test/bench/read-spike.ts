// `npm run bench`: the snow-morning read spike, measured. Starts the built site on the demo data
// (a temporary database), loads /services/schools with autocannon at 100 connections, then a
// bare node:http server sending the very same bytes, and prints requests/s for both, their
// ratio and p50/p99 latency; the same with 1,000 places in the service; and the uncached render
// rate. Loopback only; every run stops by itself.
//   BENCH_SECONDS (10) — how long each load runs; BENCH_CONNECTIONS (100).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { eq } from 'drizzle-orm';
import { services } from '../../db/schema/index.ts';
import { completeDraft } from '../../src/lib/revisions/content.ts';
import { createContentStatements } from '../../src/lib/revisions/service.ts';
import buildOnce from '../helpers/global-setup.ts';
import { createTestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const PATH = '/services/schools';
/** What browsers and CDNs send; both servers answer with the same brotli bytes. */
const BROWSER_HEADERS = { 'accept-encoding': 'br, gzip', accept: 'text/html' };

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, connections = CONNECTIONS, seconds = SECONDS): Promise<Figures> {
  const result = await autocannon({ url, connections, duration: seconds, headers: BROWSER_HEADERS });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Fetches the page as a browser would and starts a bare server sending exactly those bytes. */
async function startBareCopy(site: TestServer, dir: string): Promise<{ url: string; bytes: number; stop: () => void }> {
  const { request } = await import('node:http');
  const { body, headers } = await new Promise<{ body: Buffer; headers: Record<string, string> }>((resolve, reject) => {
    request(`${site.url}${PATH}`, { headers: BROWSER_HEADERS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const keep = ['content-type', 'content-encoding', 'cache-control', 'etag', 'last-modified', 'vary', 'content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy'];
        resolve({ body: Buffer.concat(chunks), headers: Object.fromEntries(keep.flatMap((k) => (res.headers[k] ? [[k, String(res.headers[k])]] : []))) });
      });
    }).on('error', reject).end();
  });
  const file = join(dir, `body-${Date.now()}`);
  writeFileSync(file, body);
  const port = await freePort();
  const child = fork(new URL('./bare-server.mjs', import.meta.url), [file, JSON.stringify(headers), String(port)], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  return { url: `http://127.0.0.1:${port}${PATH}`, bytes: body.length, stop: () => child.kill() };
}

/** Adds synthetic schools until the service has `target` places, in one batch. */
async function growSchoolsTo(target: number, db: Awaited<ReturnType<typeof createTestDb>>): Promise<number> {
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
  const { count } = await import('drizzle-orm');
  const { places } = await import('../../db/schema/index.ts');
  const [{ n }] = (await db.db.select({ n: count() }).from(places).where(eq(places.serviceId, schools!.id))) as [{ n: number }];
  const statuses = ['open', 'closed', 'opening_late', 'unknown', 'partially_open'] as const;
  const statements = [];
  for (let i = n; i < target; i++) {
    const draft = {
      serviceId: schools!.id, slug: `bench-school-${i}`, identifier: String(900000 + i), name: `Bench Test Primary School ${i}`,
      category: 'Primary', address: `${i} Example Road, Huddersfield`, postcode: 'HD1 1AA', ward: 'Newsome',
      latitude: 53.64, longitude: -1.78, status: statuses[i % statuses.length]!, noteMarkdown: i % 3 === 0 ? 'Closed today because of snow. We will update this page by **2pm**.' : '',
      statusFrom: null, statusUntil: null, confirmedAt: new Date().toISOString(), retired: false,
    };
    statements.push(...createContentStatements(db.db, completeDraft({ kind: 'place', draft }), { author: { accountId: null, label: 'bench' }, summary: 'bench' }));
  }
  const [first, ...rest] = statements;
  if (first) await db.db.batch([first, ...rest]);
  return target;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-GB')}/s`;

async function compare(label: string, site: TestServer, dir: string) {
  // Warm the cache (and wait for the server to see the newest content version).
  for (let i = 0; i < 5; i++) await fetch(`${site.url}${PATH}`, { headers: BROWSER_HEADERS });
  const bare = await startBareCopy(site, dir);
  console.log(`\n${label}: ${PATH} is ${bare.bytes.toLocaleString('en-GB')} bytes (brotli), ${CONNECTIONS} connections, ${SECONDS} s each`);
  const siteFigures = await load(`${site.url}${PATH}`);
  const bareFigures = await load(bare.url);
  bare.stop();
  const ratio = siteFigures.rps / bareFigures.rps;
  console.log(`  site        ${perSecond(siteFigures.rps).padStart(10)}   p50 ${ms(siteFigures.p50).padStart(6)}   p99 ${ms(siteFigures.p99).padStart(6)}   errors ${siteFigures.errors + siteFigures.non2xx}`);
  console.log(`  bare node   ${perSecond(bareFigures.rps).padStart(10)}   p50 ${ms(bareFigures.p50).padStart(6)}   p99 ${ms(bareFigures.p99).padStart(6)}   errors ${bareFigures.errors + bareFigures.non2xx}`);
  console.log(`  ratio (site ÷ bare node): ${ratio.toFixed(2)}`);
  return { site: siteFigures, bare: bareFigures, ratio };
}

async function main() {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'csa-bench-'));
  const db = await createTestDb({ seed: true });
  const site = await startServer(db.url, { LOG_REQUESTS: 'off' });
  const uncached = await startServer(db.url, { PAGE_CACHE: 'off', LOG_REQUESTS: 'off' });
  try {
    const schoolsNow = (await (await fetch(`${site.url}/api/v1/services/schools`)).json()) as { places: unknown[] };
    const small = await compare(`Demo data (${schoolsNow.places.length} schools)`, site, dir);
    const renders = await load(`${uncached.url}${PATH}`, 10, Math.min(SECONDS, 5));
    console.log(`  uncached render rate: ${perSecond(renders.rps)} (page cache off, 10 connections, p99 ${ms(renders.p99)})`);

    await growSchoolsTo(1000, db);
    await new Promise((r) => setTimeout(r, 500));
    const large = await compare('1,000 schools', site, dir);
    const rendersLarge = await load(`${uncached.url}${PATH}`, 10, Math.min(SECONDS, 5));
    console.log(`  uncached render rate: ${perSecond(rendersLarge.rps)} (page cache off, 10 connections, p99 ${ms(rendersLarge.p99)})`);

    const within = Math.abs(large.ratio - small.ratio) / small.ratio;
    console.log('\nBudgets');
    console.log(`  ratio ≥ 0.5:                        ${small.ratio.toFixed(2)} (demo), ${large.ratio.toFixed(2)} (1,000)  ${small.ratio >= 0.5 && large.ratio >= 0.5 ? 'met' : 'NOT MET'}`);
    console.log(`  p99 < 100 ms at ${CONNECTIONS} connections:   ${ms(small.site.p99)} (demo), ${ms(large.site.p99)} (1,000)  ${small.site.p99 < 100 && large.site.p99 < 100 ? 'met' : 'NOT MET'}`);
    console.log(`  1,000 places within 20% (ratio):    ${(within * 100).toFixed(0)}% apart  ${within <= 0.2 ? 'met' : 'NOT MET'}`);
  } finally {
    await Promise.all([site.stop(), uncached.stop()]);
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
