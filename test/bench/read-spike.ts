// `npm run bench`: the snow-morning read spike, measured. Starts the built site on the demo data
// (a temporary database), grows the schools to 1,000 and loads it, side by side in one run:
//   - a bare node:http server sending the very bytes of the schools page (the generator's
//     ceiling on this machine: nothing can answer faster), at 100 connections;
//   - the cached schools page, at 100 connections;
//   - unique searches (`?q=` never sent before: every one a render), at 50 connections;
//   - place pages (200 schools in turn) while one of them is published every 5 s;
//   - the snow-morning mix: 70% the schools page, 20% unique searches, 10% place pages, a
//     publish every 5 s;
// and prints req/s, p50, p99, errors, renders per publish, the ratio to the bare server and
// whether it is within 10% of it; then the uncached render rate (PAGE_CACHE=off) with the demo's
// schools and with 1,000. The load generator is wrk when installed, else autocannon (it says
// which). Loopback only; every run stops by itself (about two minutes).
//   BENCH_SECONDS (8) — how long each load runs.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, count, eq } from 'drizzle-orm';
import { places, revisions, services } from '../../db/schema/index.ts';
import { completeDraft, type PlaceContent } from '../../src/lib/revisions/content.ts';
import { createContentStatements, publishRevision } from '../../src/lib/revisions/service.ts';
import buildOnce from '../helpers/global-setup.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { BROWSER_HEADERS, chooseGenerator, only, type Figures, type Generator, type Mix } from './load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PATH = '/services/schools';
const PUBLISH_EVERY_MS = 5_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Fetches the page as a browser would and starts a bare server sending exactly those bytes. */
async function startBareCopy(site: TestServer, dir: string): Promise<{ origin: string; bytes: number; stop: () => void }> {
  const { request } = await import('node:http');
  const { body, headers } = await new Promise<{ body: Buffer; headers: Record<string, string> }>((resolve, reject) => {
    request(`${site.url}${PATH}`, { headers: BROWSER_HEADERS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const keep = ['content-type', 'content-encoding', 'cache-control', 'etag', 'last-modified', 'vary', 'content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'x-cache'];
        resolve({ body: Buffer.concat(chunks), headers: Object.fromEntries(keep.flatMap((k) => (res.headers[k] ? [[k, String(res.headers[k])]] : []))) });
      });
    }).on('error', reject).end();
  });
  const file = join(dir, `body-${Date.now()}`);
  writeFileSync(file, body);
  const port = await freePort();
  const child = fork(new URL('./bare-server.mjs', import.meta.url), [file, JSON.stringify(headers), String(port)], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  return { origin: `http://127.0.0.1:${port}`, bytes: body.length, stop: () => child.kill() };
}

/** Adds synthetic schools until the service has `target` places, in one batch. */
async function growSchoolsTo(target: number, db: TestDb): Promise<void> {
  const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
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
}

/** A school office publishing: every PUBLISH_EVERY_MS, one of these places flips between closed and open. */
function startPublishing(db: TestDb, placeIds: number[]): { stop: () => Promise<number> } {
  let published = 0;
  let turn = 0;
  let running: Promise<void> = Promise.resolve();
  const publishOne = async () => {
    const id = placeIds[turn++ % placeIds.length]!;
    const [place] = await db.db.select().from(places).where(eq(places.id, id));
    const [current] = await db.db.select().from(revisions).where(eq(revisions.id, place!.currentRevisionId!));
    const { noteHtml: _html, ...draft } = current!.content as PlaceContent;
    const result = await publishRevision(db.db, id, current!.id, { kind: 'place', draft: { ...draft, status: draft.status === 'closed' ? 'open' : 'closed' } }, {
      author: { accountId: null, label: 'bench' },
      summary: 'bench publish',
    });
    if (result.ok) published += 1;
  };
  const timer = setInterval(() => {
    running = running.then(publishOne);
  }, PUBLISH_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
      return published;
    },
  };
}

interface Row {
  label: string;
  connections: number;
  figures: Figures;
  rendersPerPublish: string;
}

const ms = (n: number) => `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-GB')}/s`;

function printTable(rows: Row[], bare: Figures): void {
  const header = ['case', 'conns', 'req/s', 'p50', 'p99', 'errors', 'renders/publish', '÷ bare', 'within 10%'];
  const lines = rows.map(({ label, connections, figures, rendersPerPublish }) => {
    const ratio = figures.rps / bare.rps;
    return [label, String(connections), perSecond(figures.rps), ms(figures.p50), ms(figures.p99), String(figures.errors), rendersPerPublish, ratio.toFixed(2), ratio >= 0.9 ? 'yes' : 'no'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  console.log(format(header));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

async function untilServed(site: TestServer, path: string): Promise<void> {
  // The server sees another process's publish within CACHE_CHECK_MS; a few requests settle it.
  for (let i = 0; i < 5; i++) {
    await (await fetch(`${site.url}${path}`, { headers: BROWSER_HEADERS })).arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  buildOnce();
  const generator: Generator = chooseGenerator();
  console.log(`Load generator: ${generator.name}`);
  const dir = mkdtempSync(join(tmpdir(), 'csa-bench-'));
  const db = await createTestDb({ seed: true });
  const quiet = { LOG_REQUESTS: 'off', NEIGHBOUR_POLL_MINUTES: '0' };
  const site = await startServer(db.url, quiet);
  const uncached = await startServer(db.url, { ...quiet, PAGE_CACHE: 'off' });
  const renderSeconds = Math.min(SECONDS, 5);
  try {
    const demoSchools = ((await (await fetch(`${site.url}/api/v1/services/schools`)).json()) as { places: unknown[] }).places.length;
    await untilServed(uncached, PATH);
    // A fresh process renders slower for its first thousand pages or so (the JIT): warm it first.
    await generator.run(uncached.url, only(PATH), 10, 2);
    const rendersDemo = await generator.run(uncached.url, only(PATH), 10, renderSeconds);

    await growSchoolsTo(1000, db);
    await untilServed(site, PATH);
    await untilServed(uncached, PATH);
    const bare = await startBareCopy(site, dir);
    console.log(`\n1,000 schools: ${PATH} is ${bare.bytes.toLocaleString('en-GB')} bytes (brotli); ${SECONDS} s per case, loopback only`);
    const bareFigures = await generator.run(bare.origin, only(PATH), 100, SECONDS);
    bare.stop();
    const cached = await generator.run(site.url, only(PATH), 100, SECONDS);
    const searches = await generator.run(site.url, { ...only(PATH), cycle: ['search'] }, 50, SECONDS);

    const [schools] = await db.db.select().from(services).where(eq(services.slug, 'schools'));
    const placeRows = await db.db.select({ id: places.id, slug: places.slug }).from(places).where(and(eq(places.serviceId, schools!.id))).orderBy(asc(places.name)).limit(200);
    const placePaths = placeRows.map((p) => `${PATH}/${p.slug}`);
    const publishedIds = placeRows.slice(0, 20).map((p) => p.id);
    for (const path of placePaths) await (await fetch(`${site.url}${path}`, { headers: BROWSER_HEADERS })).arrayBuffer();
    const placeMix: Mix = { ...only(PATH), cycle: ['place'], places: placePaths };
    const placeSeconds = Math.max(SECONDS, 11);
    let publisher = startPublishing(db, publishedIds);
    const placesAfterPublish = await generator.run(site.url, placeMix, 50, placeSeconds);
    const placePublishes = await publisher.stop();

    await untilServed(site, PATH);
    const snowMorning: Mix = { cycle: ['page', 'page', 'page', 'page', 'page', 'page', 'page', 'search', 'search', 'place'], page: PATH, search: PATH, places: placePaths };
    publisher = startPublishing(db, publishedIds);
    const mixed = await generator.run(site.url, snowMorning, 50, placeSeconds);
    const mixedPublishes = await publisher.stop();

    await generator.run(uncached.url, only(PATH), 10, 2);
    const rendersLarge = await generator.run(uncached.url, only(PATH), 10, renderSeconds);

    const perPublish = (renders: number, publishes: number) => (publishes > 0 ? `${(renders / publishes).toFixed(1)} (${publishes} publishes)` : '–');
    console.log('');
    printTable(
      [
        { label: 'bare node:http, same bytes (ceiling)', connections: 100, figures: bareFigures, rendersPerPublish: '–' },
        { label: 'cached service page', connections: 100, figures: cached, rendersPerPublish: '–' },
        { label: 'unique searches (each new to the cache)', connections: 50, figures: searches, rendersPerPublish: '–' },
        { label: 'place pages, a publish every 5 s', connections: 50, figures: placesAfterPublish, rendersPerPublish: perPublish(placesAfterPublish.renders.place, placePublishes) },
        { label: 'snow morning 70/20/10, publish every 5 s', connections: 50, figures: mixed, rendersPerPublish: perPublish(mixed.renders.page + mixed.renders.place, mixedPublishes) },
      ],
      bareFigures,
    );
    console.log('  (renders per publish: pages other than searches rendered again, per publish; every search is new, so it is made afresh)');
    const p99Ratio = cached.p99 / bareFigures.p99;
    console.log(`\nCached pages at 100 connections: p99 ${ms(cached.p99)} against the bare server's ${ms(bareFigures.p99)} (ratio ${p99Ratio.toFixed(2)})`);
    console.log(`Uncached render (PAGE_CACHE=off, 10 connections): ${perSecond(rendersDemo.rps)} with ${demoSchools} schools (p99 ${ms(rendersDemo.p99)}), ${perSecond(rendersLarge.rps)} with 1,000 (p99 ${ms(rendersLarge.p99)})`);

    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    console.log('\nGoals (absolute figures move with the machine and whatever else runs on it)');
    console.log(`  cached page within 10% of the bare server:    ${(cached.rps / bareFigures.rps).toFixed(2)}  ${verdict(cached.rps >= 0.9 * bareFigures.rps)}`);
    console.log(`  cached p99 < 10 ms at 100 connections:         ${ms(cached.p99)}  ${verdict(cached.p99 < 10)}`);
    console.log(`  unique searches ≥ 1,000/s, p99 < 50 ms:        ${perSecond(searches.rps)}, ${ms(searches.p99)}  ${verdict(searches.rps >= 1000 && searches.p99 < 50)}`);
    console.log(`  uncached render ≥ 500/s (demo), ≥ 150/s (1,000): ${perSecond(rendersDemo.rps)}, ${perSecond(rendersLarge.rps)}  ${verdict(rendersDemo.rps >= 500 && rendersLarge.rps >= 150)}`);
  } finally {
    await Promise.all([site.stop(), uncached.stop()]);
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
