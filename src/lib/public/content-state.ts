// What the page cache needs to know about published content: its version, when it last
// changed, when a page will next change by itself (alerts starting or ending, statuses
// lapsing) — so cached pages expire exactly then — and what changed between two versions, so a
// publish empties only the pages that show it.
import { sql } from 'drizzle-orm';
import type { ChangedPlace, ContentChange, ContentState } from '../http/page-cache.ts';
import type { Database } from '../server/database.ts';

export async function readContentState(db: Database, now: Date): Promise<ContentState> {
  const t = now.getTime();
  const [row] = await db.all<{ version: number | null; changed_at: number | null; next_change: number | null; publish_seq: number | null }>(sql`
    SELECT
      (SELECT version FROM content_version WHERE id = 1) AS version,
      (SELECT changed_at FROM content_version WHERE id = 1) AS changed_at,
      (SELECT max(publish_seq) FROM revisions) AS publish_seq,
      (SELECT min(t) FROM (
         SELECT starts_at AS t FROM alerts WHERE starts_at > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
         UNION ALL SELECT expires_at FROM alerts WHERE expires_at > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
         UNION ALL SELECT status_until FROM places WHERE status_until > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
      )) AS next_change`);
  return {
    version: row?.version ?? 0,
    changedAt: new Date(row?.changed_at ?? 0),
    nextChangeAt: row?.next_change ? new Date(row.next_change) : null,
    publishSeq: row?.publish_seq ?? 0,
  };
}

/** The content version alone: what a render checks before it trusts what it holds. */
export async function readContentVersion(db: Database): Promise<number> {
  const [row] = await db.all<{ version: number }>(sql`SELECT version FROM content_version WHERE id = 1`);
  return row?.version ?? 0;
}

/** Above this many revisions in one step, listing them is no cheaper than starting again. */
const MAX_LISTED = 200;

/**
 * What changed from one content state to the next, from the public change log. Every publishing
 * batch bumps the version once and gives each revision it writes the next publish_seq; a batch
 * of several revisions is one change set. So when the revisions between the two positions
 * account for every bump — one per revision outside a change set, one per change set — and all
 * are places, exactly those places changed. Anything else (a settings change, an alert or page,
 * a publish that was refused but still bumped the version, a restored database) is "everything".
 */
export async function readContentChange(db: Database, from: ContentState, to: ContentState): Promise<ContentChange> {
  const bumps = to.version - from.version;
  const fromSeq = from.publishSeq ?? 0;
  const toSeq = to.publishSeq ?? 0;
  if (bumps <= 0 || toSeq <= fromSeq || toSeq - fromSeq > MAX_LISTED) return { everything: true };
  const rows = await db.all<{ kind: string; id: number; change_set: number | null }>(sql`
    SELECT target_kind AS kind, target_id AS id, change_set_id AS change_set FROM revisions
    WHERE publish_seq > ${fromSeq} AND publish_seq <= ${toSeq}`);
  const sets = new Set(rows.flatMap((r) => (r.change_set === null ? [] : [r.change_set])));
  const batches = rows.filter((r) => r.change_set === null).length + sets.size;
  if (batches !== bumps || rows.some((r) => r.kind !== 'place')) return { everything: true };
  const ids = [...new Set(rows.map((r) => r.id))];
  // Every address each place has had: a renamed place's old page goes too.
  const addresses = await db.all<{ id: number; service: string | null; slug: string | null; identifier: string | null }>(sql`
    SELECT DISTINCT r.target_id AS id, s.slug AS service, json_extract(r.content, '$.slug') AS slug, json_extract(r.content, '$.identifier') AS identifier
    FROM revisions r LEFT JOIN services s ON s.id = json_extract(r.content, '$.serviceId')
    WHERE r.target_kind = 'place' AND r.target_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  const places = new Map<number, ChangedPlace>(ids.map((id) => [id, { id, serviceSlugs: [], keys: [] }]));
  for (const { id, service, slug, identifier } of addresses) {
    const place = places.get(id)!;
    if (service === null) return { everything: true };
    if (!place.serviceSlugs.includes(service)) place.serviceSlugs.push(service);
    for (const key of [slug, identifier]) if (key && !place.keys.includes(key)) place.keys.push(key);
  }
  return { everything: false, places: [...places.values()] };
}
