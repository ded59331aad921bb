// No lost edits: many editors save the same place at the same moment, each on the same base
// revision, through two server processes sharing one database. Exactly one save wins per base;
// every other is told it conflicts; the history holds every accepted save and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { places, revisions } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

const EDITORS = 12;
const ROUNDS = 3;

let t: TestDb;
let servers: TestServer[];
let editors: SignedIn[];
let placeId: number;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  servers = await Promise.all([startServer(t.url), startServer(t.url)]);
  editors = [];
  for (let i = 0; i < EDITORS; i++) editors.push(await signInAs(t, servers[i % 2]!, 'editor', `Editor ${i}`));
  placeId = (await t.db.select({ id: places.id }).from(places).limit(1))[0]!.id;
});
afterAll(async () => {
  await Promise.all((servers ?? []).map((s) => s.stop()));
  t?.cleanup();
});

async function currentRevision(): Promise<number> {
  return (await t.db.select({ r: places.currentRevisionId }).from(places).where(eq(places.id, placeId)))[0]!.r!;
}

describe('many editors saving one place at once', () => {
  it('lets exactly one save win per base revision, reports the rest as conflicts, and loses nothing', async () => {
    const before = await t.db.select({ id: revisions.id }).from(revisions).where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, placeId)));
    const accepted: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const base = String(await currentRevision());
      const [place] = await t.db.select().from(places).where(eq(places.id, placeId));
      const details = {
        name: place!.name, category: place!.category, address: place!.address, postcode: place!.postcode, ward: place!.ward,
        identifier: place!.identifier ?? '', latitude: String(place!.latitude ?? ''), longitude: String(place!.longitude ?? ''),
      };
      const responses = await Promise.all(
        editors.map((editor, i) =>
          editor.post(`/staff/places/${placeId}`, {
            ...details, base, status: i % 2 ? 'closed' : 'opening_late', note: `Round ${round} by editor ${i}`, summary: `round ${round}`,
          }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 303), `round ${round}: ${statuses.join(',')}`).toHaveLength(1);
      expect(statuses.filter((s) => s === 409), `round ${round}: ${statuses.join(',')}`).toHaveLength(EDITORS - 1);
      const winner = statuses.indexOf(303);
      accepted.push(`Round ${round} by editor ${winner}`);
      for (const [i, response] of responses.entries()) {
        if (i !== winner) expect(await response.text()).toContain('Someone else changed this place while you were editing it');
      }
      const [row] = await t.db.select().from(places).where(eq(places.id, placeId));
      expect(row!.noteMarkdown).toBe(`Round ${round} by editor ${winner}`);
    }
    const history = await t.db
      .select({ id: revisions.id, parentId: revisions.parentId, content: revisions.content })
      .from(revisions)
      .where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, placeId)))
      .orderBy(asc(revisions.id));
    const added = history.slice(before.length);
    expect(added.map((r) => (r.content as { noteMarkdown: string }).noteMarkdown)).toEqual(accepted);
    // Each accepted save sits on the one before it: a single unbroken chain.
    for (let i = 1; i < history.length; i++) expect(history[i]!.parentId).toBe(history[i - 1]!.id);
  });
});
