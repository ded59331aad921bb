// A separate process that keeps writing to a database through the lib, the way the server and
// residents do, for tests of what happens while something else (a backup) reads the file. Each
// write is one atomic batch: a resident's "something is missing" suggestion (a suggestion and
// its pending revision), or every fourth write a new published place (a place, its revision and
// the content-version bump). After each commit it prints one JSON line:
// {"n":1,"kind":"suggestion"|"place","id":…,"at":<epoch ms after commit>,"ms":<latency>}.
// Stops at SIGTERM. Run: node --import tsx test/helpers/db-writer.ts with DATABASE_URL set;
// PAD_MB=n first adds about n MB of audit events, so a copy of the file takes measurable time.
import { eq } from 'drizzle-orm';
import { services } from '../../db/schema/index.ts';
import type { PlaceDraft } from '../../src/lib/revisions/content.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { openDatabase } from '../../src/lib/server/database.ts';
import { recordSuggestion } from '../../src/lib/suggestions/service.ts';

const { db, client } = await openDatabase(process.env.DATABASE_URL ?? '');
const padMb = Number(process.env.PAD_MB ?? 0);
if (padMb > 0) {
  // Random bytes do not compress; rows of about 1.5 kB fit two to a 4 kB page, so 2 kB a row on disk.
  await client.execute(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.round(padMb * 500)})
     INSERT INTO audit_events (action, subject, detail) SELECT 'test.padding', 'padding ' || i, json_object('pad', hex(randomblob(750))) FROM n`,
  );
}
const [schools] = await db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
if (!schools) throw new Error('The database has no schools service: seed it first');
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

function placeDraft(n: number): PlaceDraft {
  return {
    serviceId: schools!.id, slug: `backup-test-primary-${n}`, identifier: null, name: `Backup Test Primary ${n}`, category: '',
    address: '1 Snow Lane', postcode: 'HD1 1AA', ward: '', latitude: null, longitude: null, status: 'closed',
    noteMarkdown: 'Closed for the snow', statusFrom: null, statusUntil: null, confirmedAt: new Date().toISOString(), retired: false,
  };
}

for (let n = 1; !stopping; n += 1) {
  const started = performance.now();
  let line: { kind: 'suggestion' | 'place'; id: number };
  if (n % 4 === 0) {
    const created = await createContent(db, { kind: 'place', draft: placeDraft(n) }, { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Added' });
    line = { kind: 'place', id: created.targetId };
  } else {
    const { suggestionId } = await recordSuggestion(db, {
      kind: 'new', draft: { kind: 'place', draft: placeDraft(n) }, targetId: null, baseRevisionId: null, serviceId: schools.id,
      howKnown: 'I walked past it', contactEmail: null, clientHash: 'backup-test',
    });
    line = { kind: 'suggestion', id: suggestionId };
  }
  process.stdout.write(`${JSON.stringify({ n, ...line, at: Date.now(), ms: Math.round((performance.now() - started) * 10) / 10 })}\n`);
  await new Promise((r) => setTimeout(r, 2));
}
client.close();
process.exit(0);
