// Crash safety: acknowledged writes survive the server being killed at random moments. Several
// clients at once send the three kinds of write a snow morning brings — residents' suggestions,
// staff status edits of places and approvals of suggestions — to the real built server over
// HTTP, and the server is killed with SIGKILL at a random moment after the writes start, then
// restarted on the same database file, round after round. Afterwards: the file passes
// `PRAGMA integrity_check`; every write the server acknowledged (a 303) is there; and the
// published state is consistent (each place's current revision is its latest published one, the
// revision chains are unbroken, each suggestion has its proposal, each approval its publication).
// A write that was sent but never answered may or may not have landed; both are fine, and the
// figures say how many did. SIGKILL is a crashed process, not lost power: what was written stays
// in the operating system's cache, so this does not test fsync (`synchronous = FULL` is the
// database's answer to that). Once notifications exist, this test should also check that none is
// sent twice across a crash.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parse as parseHtml } from 'node-html-parser';
import { places, services } from '../../db/schema/index.ts';
import { openDatabase } from '../../src/lib/server/database.ts';
import { tokenHash } from '../../src/lib/suggestions/service.ts';
import { createTestDb } from '../helpers/db.ts';
import { textOf } from '../helpers/html.ts';
import { snapshotBuild, startKillableServer, type KillableServer } from '../helpers/killable-server.ts';
import { asSignedIn, createStaffAccount, formBody, signIn } from '../helpers/staff.ts';

/** Kill at least this many times, and go on (up to MAX_ROUNDS) until enough writes of each kind were acknowledged. */
const MIN_ROUNDS = 12;
const MAX_ROUNDS = 40;
const ENOUGH = { total: 150, each: 15 };
/** The rounds stop after this long even if there are not enough writes (the assertions then say so). */
const ROUNDS_BUDGET_MS = 60_000;
const RESIDENTS = 2;
const EDITORS = 3;
const APPROVERS = 3;
/** Each editor edits its own places, so their edits do not conflict with one another. */
const PLACES_PER_EDITOR = 2;
/** Residents suggest changes to these places and approvers approve them. */
const SUGGESTED_PLACES = 6;
const KILL_AFTER_MS = { min: 150, max: 900 };
const SERVER_ENV = {
  SUGGESTION_MIN_FILL_SECONDS: '0',
  SUGGESTIONS_PER_ADDRESS_PER_HOUR: '1000000',
  SUGGESTIONS_WAITING_CAP: '1000000',
  NEIGHBOUR_POLL_MINUTES: '0',
};
const EDIT_STATUSES = ['open', 'closed', 'partially_open', 'disrupted'] as const;

type WriteKind = 'suggestion' | 'status edit' | 'approval';

interface Attempt {
  kind: WriteKind;
  round: number;
  /** Unique text in the write (a suggestion's note, an edit's summary) to find it by. */
  marker: string;
  placeId?: number;
  /** The suggestion an approval is for. */
  suggestionId?: number;
  /** The HTTP status, or null when the server died before answering. */
  status: number | null;
  location: string | null;
}

const acknowledged = (a: Attempt) => a.status === 303;

type PlaceRow = typeof places.$inferSelect;

/** What one round's clients share: the server of the round, and whether it is about to die. */
interface Round {
  number: number;
  server: KillableServer;
  stopping: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomBetween = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const runId = Math.random().toString(36).slice(2, 8);

/** A form's address and hidden fields as the page sent them; null when the page has no such form. */
function readForm(html: string, formSelector: string): { action: string; hidden: Record<string, string> } | null {
  const form = parseHtml(html).querySelector(formSelector);
  if (!form) return null;
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  return { action: form.getAttribute('action') ?? '', hidden };
}

describe('crash safety', () => {
  it('keeps every acknowledged write, and a consistent database, when the server is killed at random moments', async () => {
    const t = await createTestDb({ seed: true });
    const url = t.url;
    // Every server of the test runs the same build, whatever other test runs do to dist/ meanwhile.
    const build = await snapshotBuild();
    const attempts: Attempt[] = [];
    const unexpected: string[] = [];
    let server: KillableServer | undefined;
    try {
      // ─── Set-up: places to write to, staff accounts; then the test holds no connection ───
      const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
      const rows = (await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.retired, false))).orderBy(places.id))
        .slice(0, EDITORS * PLACES_PER_EDITOR + SUGGESTED_PLACES);
      expect(rows).toHaveLength(EDITORS * PLACES_PER_EDITOR + SUGGESTED_PLACES);
      const edited = rows.slice(0, EDITORS * PLACES_PER_EDITOR);
      const suggested = rows.slice(EDITORS * PLACES_PER_EDITOR);
      const staffEmails: string[] = [];
      for (let i = 0; i < EDITORS + APPROVERS; i++) staffEmails.push((await createStaffAccount(t, 'editor', `Crash Editor ${i + 1}`)).email);
      t.client.close();

      server = await startKillableServer(url, SERVER_ENV, build);
      const cookies: string[] = [];
      for (const email of staffEmails) cookies.push((await signIn(server, email)).cookie);
      const editorCookies = cookies.slice(0, EDITORS);
      const approverCookies = cookies.slice(EDITORS);

      // ─── The clients: each loops until its round's server is about to be killed ───
      let written = 0;
      /** Sends one write and notes the answer; a connection cut by the kill leaves it unanswered. */
      const send = async (attempt: Attempt, request: () => Promise<Response>): Promise<void> => {
        attempts.push(attempt);
        try {
          const response = await request();
          attempt.status = response.status;
          attempt.location = response.headers.get('location');
          await response.body?.cancel();
        } catch {
          // killed before it answered
        }
      };
      /** Runs one client's steps until the round stops; an error is only expected once it is stopping. */
      const loop = async (round: Round, name: string, step: () => Promise<void>) => {
        while (!round.stopping) {
          try {
            await step();
          } catch (error) {
            if (!round.stopping) {
              unexpected.push(`${name} in round ${round.number}: ${(error as Error).message}`);
              await sleep(20);
            }
          }
        }
      };

      const resident = (round: Round, r: number) => {
        let n = 0;
        return loop(round, `resident ${r}`, async () => {
          const place = suggested[(r + n) % suggested.length]!;
          const form = await round.server.get(`/suggest?target=place:${place.id}`);
          const opened = form.status === 200 ? readForm(await form.text(), 'form#suggest-form') : null;
          if (!opened) throw new Error(`the suggestion form answered ${form.status}`);
          if (round.stopping) return;
          const marker = `Crash test ${runId} suggestion ${r}-${++n}-${++written}`;
          const { action, hidden: fields } = opened;
          await send({ kind: 'suggestion', round: round.number, marker, placeId: place.id, status: null, location: null }, () =>
            round.server.get(action, {
              method: 'POST',
              headers: { Origin: round.server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
              body: formBody({ ...fields, website: '', status: EDIT_STATUSES[n % EDIT_STATUSES.length]!, note: marker, 'how-known': 'I walked past', email: '' }),
            }),
          );
        });
      };

      const editor = (round: Round, e: number) => {
        const session = asSignedIn(round.server, editorCookies[e]!);
        const mine = edited.slice(e * PLACES_PER_EDITOR, (e + 1) * PLACES_PER_EDITOR);
        let n = 0;
        return loop(round, `editor ${e}`, async () => {
          const place = mine[n % mine.length]!;
          const form = await session.get(`/staff/places/${place.id}`);
          const base = form.status === 200 ? parseHtml(await form.text()).querySelector('input[name="base"]')?.getAttribute('value') : null;
          if (!base) throw new Error(`the edit form answered ${form.status}`);
          if (round.stopping) return;
          const marker = `Crash test ${runId} edit ${e}-${++n}-${++written}`;
          await send({ kind: 'status edit', round: round.number, marker, placeId: place.id, status: null, location: null }, () =>
            session.post(`/staff/places/${place.id}`, editFields(place, { status: EDIT_STATUSES[n % EDIT_STATUSES.length]!, note: `Note for ${marker}`, summary: marker, base })),
          );
        });
      };

      const approver = (round: Round, a: number) => {
        const session = asSignedIn(round.server, approverCookies[a]!);
        let queue: number[] = [];
        return loop(round, `approver ${a}`, async () => {
          if (queue.length === 0) {
            const page = await session.get('/staff/review');
            if (page.status !== 200) throw new Error(`the review queue answered ${page.status}`);
            const links = parseHtml(await page.text()).querySelectorAll('a').map((link) => /^\/staff\/review\/(\d+)$/.exec(link.getAttribute('href') ?? ''));
            queue = links.filter((m) => m !== null).map((m) => Number(m[1])).filter((id) => id % APPROVERS === a);
            if (queue.length === 0) return void (await sleep(30));
          }
          const id = queue.shift()!;
          const review = await session.get(`/staff/review/${id}`);
          if (review.status !== 200) throw new Error(`the review page answered ${review.status}`);
          const form = readForm(await review.text(), '#approve-form');
          if (!form) return; // reviewed meanwhile
          if (round.stopping) return;
          await send({ kind: 'approval', round: round.number, marker: `approval of ${id}`, suggestionId: id, status: null, location: null }, () =>
            session.post(`/staff/review/${id}`, { base: form.hidden.base ?? '', action: 'approve' }),
          );
        });
      };

      // ─── The rounds: write, kill at a random moment, restart on the same file ───
      const kills: number[] = [];
      const started = Date.now();
      const enough = () => {
        const acks = attempts.filter(acknowledged);
        return acks.length >= ENOUGH.total && (['suggestion', 'status edit', 'approval'] as const).every((k) => acks.filter((a) => a.kind === k).length >= ENOUGH.each);
      };
      for (let number = 1; number <= MAX_ROUNDS && (number <= MIN_ROUNDS || (!enough() && Date.now() - started < ROUNDS_BUDGET_MS)); number++) {
        server ??= await startKillableServer(url, SERVER_ENV, build);
        // Load each route's code before the writes start, so the round's time goes on writing.
        await Promise.all([
          server.get(`/suggest?target=place:${suggested[0]!.id}`),
          asSignedIn(server, editorCookies[0]!).get(`/staff/places/${edited[0]!.id}`),
          asSignedIn(server, approverCookies[0]!).get(`/staff/review/0`),
        ].map(async (response) => (await response).body?.cancel()));
        const round: Round = { number, server, stopping: false };
        const clients = [
          ...Array.from({ length: RESIDENTS }, (_, r) => resident(round, r)),
          ...Array.from({ length: EDITORS }, (_, e) => editor(round, e)),
          ...Array.from({ length: APPROVERS }, (_, a) => approver(round, a)),
        ];
        const delay = randomBetween(KILL_AFTER_MS.min, KILL_AFTER_MS.max);
        await sleep(delay);
        round.stopping = true;
        await server.kill();
        kills.push(delay);
        await Promise.all(clients);
        server = undefined;
      }
      const roundsTook = Date.now() - started;

      // ─── The file as the last crash left it ───
      const handle = await openDatabase(url);
      const integrity = (await handle.client.execute('PRAGMA integrity_check')).rows.map((r) => String(r[0]));
      const foreignKeys = (await handle.client.execute('PRAGMA foreign_key_check')).rows;

      const q = async <T,>(sqlText: string, args: (string | number)[] = []) => (await handle.client.execute({ sql: sqlText, args })).rows as unknown as T[];
      /** Each suggestion's proposal (its pending revision, never published), by its note. */
      const proposals = await q<{ suggestion_id: number; note: string; target_id: number; state: string }>(
        `SELECT suggestion_id, json_extract(content, '$.noteMarkdown') AS note, target_id, state FROM revisions WHERE suggestion_id IS NOT NULL AND publish_seq IS NULL`,
      );
      const proposalByNote = new Map(proposals.map((p) => [p.note, p]));
      const suggestionRows = await q<{ id: number; token_hash: string; outcome: string }>(`SELECT id, token_hash, outcome FROM suggestions`);
      const suggestionByHash = new Map(suggestionRows.map((s) => [s.token_hash, s]));
      const suggestionById = new Map(suggestionRows.map((s) => [s.id, s]));
      const published = await q<{ id: number; target_kind: string; target_id: number; parent_id: number | null; publish_seq: number; suggestion_id: number | null; summary: string; state: string; status: string; note: string }>(
        `SELECT id, target_kind, target_id, parent_id, publish_seq, suggestion_id, summary, state,
                json_extract(content, '$.status') AS status, json_extract(content, '$.noteMarkdown') AS note
         FROM revisions WHERE publish_seq IS NOT NULL ORDER BY publish_seq`,
      );
      const publishedBySummary = new Map(published.map((p) => [p.summary, p]));
      const publishedBySuggestion = new Map(published.filter((p) => p.suggestion_id !== null).map((p) => [p.suggestion_id!, p]));
      /** Every revision in a place's history: reached from its current revision through the parents. */
      const inHistory = new Set<number>();
      const parentOf = new Map(published.map((p) => [p.id, p.parent_id]));
      for (const { current } of await q<{ current: number | null }>(`SELECT current_revision_id AS current FROM places`)) {
        for (let id = current; id !== null && id !== undefined && !inHistory.has(id); id = parentOf.get(id) ?? null) inHistory.add(id);
      }

      // ─── Was each write there? ───
      const tokens = new Map<string, number>(); // acknowledged suggestion token → suggestion id
      const found = (attempt: Attempt): boolean => {
        switch (attempt.kind) {
          case 'suggestion': {
            const proposal = proposalByNote.get(attempt.marker);
            if (!acknowledged(attempt)) return proposal !== undefined;
            const token = /^\/suggestions\/([a-z2-7]{32})(?:\?sent)?$/.exec(attempt.location ?? '')?.[1];
            const suggestion = token ? suggestionByHash.get(tokenHash(token)) : undefined;
            if (!token || !suggestion || proposal?.suggestion_id !== suggestion.id || proposal.target_id !== attempt.placeId) return false;
            tokens.set(token, suggestion.id);
            return true;
          }
          case 'status edit': {
            const revision = publishedBySummary.get(attempt.marker);
            return revision !== undefined && revision.target_kind === 'place' && revision.target_id === attempt.placeId && revision.state === 'approved' && inHistory.has(revision.id);
          }
          case 'approval': {
            const suggestion = suggestionById.get(attempt.suggestionId!);
            const revision = publishedBySuggestion.get(attempt.suggestionId!);
            const landed = suggestion?.outcome === 'approved' && revision?.state === 'approved' && inHistory.has(revision.id);
            if (acknowledged(attempt)) return landed && attempt.location === `/staff/review?approved=${attempt.suggestionId}`;
            // Unanswered and landed: only the last attempt at a suggestion can have been the one.
            const last = attempts.findLast((other) => other.kind === 'approval' && other.suggestionId === attempt.suggestionId);
            return landed && last === attempt;
          }
        }
      };
      const acked = attempts.filter(acknowledged);
      const ackedFound = acked.filter(found);
      const missing = acked.filter((a) => !found(a));
      const unackedLanded = attempts.filter((a) => !acknowledged(a) && found(a));
      /** Refused with an answer (a conflict, a bad form) yet written all the same: never allowed. */
      const refusedLanded = unackedLanded.filter((a) => a.status !== null);

      // ─── Is the published state consistent? ───
      const problems: string[] = [];
      const seqs = published.map((p) => p.publish_seq);
      if (seqs.some((s, i) => s !== i + 1)) problems.push('the change log (publish_seq) has gaps');
      const chains = new Map<string, typeof published>();
      for (const p of published) chains.set(`${p.target_kind}:${p.target_id}`, [...(chains.get(`${p.target_kind}:${p.target_id}`) ?? []), p]);
      for (const kind of ['place', 'alert', 'page'] as const) {
        const table = `${kind}s`;
        const targets = await q<{ id: number; current_revision_id: number | null; status?: string; note_markdown?: string }>(
          kind === 'place' ? `SELECT id, current_revision_id, status, note_markdown FROM places` : `SELECT id, current_revision_id FROM ${table}`,
        );
        for (const target of targets) {
          const chain = chains.get(`${kind}:${target.id}`) ?? [];
          const latest = chain.at(-1);
          if (!latest || target.current_revision_id !== latest.id) problems.push(`${kind} ${target.id} does not point at its latest published revision`);
          else if (kind === 'place' && (target.status !== latest.status || target.note_markdown !== latest.note)) problems.push(`place ${target.id} does not show its current revision`);
          chain.forEach((revision, i) => {
            const parent = i === 0 ? null : chain[i - 1]!.id;
            if (revision.parent_id !== parent) problems.push(`revision ${revision.id} of ${kind} ${target.id} has parent ${revision.parent_id}, not ${parent}`);
            if (parent !== null && revision.id < parent) problems.push(`revision ${revision.id} of ${kind} ${target.id} was published before its parent`);
          });
        }
      }
      const proposalsBySuggestion = new Map<number, number>();
      for (const p of proposals) proposalsBySuggestion.set(p.suggestion_id, (proposalsBySuggestion.get(p.suggestion_id) ?? 0) + 1);
      for (const s of suggestionRows) {
        if (proposalsBySuggestion.get(s.id) !== 1) problems.push(`suggestion ${s.id} has ${proposalsBySuggestion.get(s.id) ?? 0} proposals`);
        const revision = publishedBySuggestion.get(s.id);
        const proposal = proposals.find((p) => p.suggestion_id === s.id);
        if (s.outcome === 'waiting' && (revision || proposal?.state !== 'pending')) problems.push(`waiting suggestion ${s.id} is published or closed`);
        if (s.outcome === 'approved' && (!revision || proposal?.state !== 'approved')) problems.push(`approved suggestion ${s.id} is not published, or its proposal is still open`);
      }
      handle.client.close();

      // ─── The restarted server knows every acknowledged suggestion by its tracking link ───
      server = await startKillableServer(url, SERVER_ENV, build);
      const approvedAck = new Set(acked.filter((a) => a.kind === 'approval').map((a) => a.suggestionId!));
      const tracked: string[] = [];
      const markerOfToken = new Map(acked.filter((a) => a.kind === 'suggestion').map((a) => [/\/suggestions\/([a-z2-7]{32})/.exec(a.location ?? '')?.[1] ?? '', a.marker]));
      const entries = [...tokens.entries()];
      for (let i = 0; i < entries.length; i += 8) {
        await Promise.all(
          entries.slice(i, i + 8).map(async ([token, id]) => {
            const response = await server!.get(`/suggestions/${token}`);
            const doc = parseHtml(await response.text());
            const state = textOf(doc.querySelector('#suggestion-state'));
            const shows = textOf(doc.querySelector('#suggestion-proposal')).includes(markerOfToken.get(token)!);
            const expectedState = approvedAck.has(id) ? state !== 'Waiting to be checked' : true;
            if (response.status !== 200 || !shows || !expectedState) tracked.push(`${token}: ${response.status} “${state}”`);
          }),
        );
      }
      await server.stop();
      server = undefined;

      const after = await openDatabase(url);
      const integrityAfter = String((await after.client.execute('PRAGMA integrity_check')).rows[0]?.[0]);
      after.client.close();

      // ─── The figures ───
      const byKind = (list: Attempt[]) => Object.fromEntries((['suggestion', 'status edit', 'approval'] as const).map((k) => [k, list.filter((a) => a.kind === k).length]));
      const statuses = Object.entries(attempts.reduce<Record<string, number>>((n, a) => ({ ...n, [String(a.status ?? 'no answer')]: (n[String(a.status ?? 'no answer')] ?? 0) + 1 }), {}));
      console.log(
        [
          'Crash safety figures',
          `  rounds (SIGKILLs): ${kills.length}, killed after ${kills.join(', ')} ms (${(roundsTook / 1000).toFixed(1)} s with the restarts)`,
          `  writes attempted: ${attempts.length} ${JSON.stringify(byKind(attempts))}`,
          `  answers: ${statuses.map(([s, n]) => `${s} × ${n}`).join(', ')}`,
          `  writes acknowledged (303): ${acked.length} ${JSON.stringify(byKind(acked))}`,
          `  acknowledged writes found: ${ackedFound.length}`,
          `  unacknowledged writes that landed anyway: ${unackedLanded.length} ${JSON.stringify(byKind(unackedLanded))}`,
          `  tracking pages checked on the restarted server: ${tokens.size}`,
          `  integrity_check after the last crash: ${integrity.join('; ')}; after a clean restart: ${integrityAfter}`,
        ].join('\n'),
      );

      expect(missing.map((a) => `${a.kind} “${a.marker}” (round ${a.round})`)).toEqual([]);
      expect(ackedFound.length).toBe(acked.length);
      expect(refusedLanded.map((a) => `${a.kind} “${a.marker}” answered ${a.status}`)).toEqual([]);
      expect(integrity).toEqual(['ok']);
      expect(integrityAfter).toBe('ok');
      expect(foreignKeys).toEqual([]);
      expect(problems).toEqual([]);
      expect(tracked).toEqual([]);
      expect(unexpected).toEqual([]);
      expect(attempts.filter((a) => a.status !== null && a.status >= 500)).toEqual([]);
      expect(kills.length).toBeGreaterThanOrEqual(10);
      expect(acked.length).toBeGreaterThanOrEqual(100);
      for (const kind of ['suggestion', 'status edit', 'approval'] as const) expect(acked.filter((a) => a.kind === kind).length, kind).toBeGreaterThan(0);
    } finally {
      await server?.kill();
      build.remove();
      rmSync(dirname(url.slice('file:'.length)), { recursive: true, force: true });
    }
  }, 180_000);
});

/** The place edit form as the page fills it in (the details unchanged), with some fields changed. */
function editFields(row: PlaceRow, overrides: Record<string, string>): Record<string, string> {
  return {
    status: row.status, note: row.noteMarkdown, 'status-from': '', 'status-until': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude),
    summary: '', ...overrides,
  };
}
