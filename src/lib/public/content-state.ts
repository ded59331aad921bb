// What the page cache needs to know about published content: its version, when it last
// changed, and when a page will next change by itself (alerts starting or ending, statuses
// lapsing) — so cached pages expire exactly then.
import { sql } from 'drizzle-orm';
import type { ContentState } from '../http/page-cache.ts';
import type { Database } from '../server/database.ts';

export async function readContentState(db: Database, now: Date): Promise<ContentState> {
  const t = now.getTime();
  const [row] = await db.all<{ version: number | null; changed_at: number | null; next_change: number | null }>(sql`
    SELECT
      (SELECT version FROM content_version WHERE id = 1) AS version,
      (SELECT changed_at FROM content_version WHERE id = 1) AS changed_at,
      (SELECT min(t) FROM (
         SELECT starts_at AS t FROM alerts WHERE starts_at > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
         UNION ALL SELECT expires_at FROM alerts WHERE expires_at > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
         UNION ALL SELECT status_until FROM places WHERE status_until > ${t} AND retired = 0 AND current_revision_id IS NOT NULL
      )) AS next_change`);
  return {
    version: row?.version ?? 0,
    changedAt: new Date(row?.changed_at ?? 0),
    nextChangeAt: row?.next_change ? new Date(row.next_change) : null,
  };
}
