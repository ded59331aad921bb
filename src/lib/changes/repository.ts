// The public change log: approved revisions in the order they were published (publish_seq),
// optionally only those about one service, or about one place.
import { TEMPLATE_SLUG_PREFIX } from '../pages/templates.ts';
import { sql } from 'drizzle-orm';
import type { ContentKind } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export interface ChangeRow {
  seq: number;
  revisionId: number;
  kind: ContentKind;
  targetId: number;
  content: unknown;
  summary: string;
  authorLabel: string;
  publishedAt: Date;
}

interface RawChange {
  seq: number;
  id: number;
  target_kind: ContentKind;
  target_id: number;
  content: string;
  summary: string;
  author_label: string;
  reviewed_at: number;
}

export interface ChangeQuery {
  /** Only changes after this position (exclusive). */
  afterSeq?: number;
  /** Only the newest changes, newest first (feeds) instead of oldest first from a cursor (API). */
  newestFirst?: boolean;
  limit: number;
  /** Only places of this service and alerts about it. */
  service?: { id: number; slug: string };
  /** Only the changes to this place. */
  placeId?: number;
}

export async function listChanges(db: Database, query: ChangeQuery): Promise<ChangeRow[]> {
  const about = query.service
    ? sql`AND (
        (target_kind = 'place' AND json_extract(content, '$.serviceId') = ${query.service.id})
        OR (target_kind = 'alert' AND EXISTS (
          SELECT 1 FROM json_each(json_extract(revisions.content, '$.serviceSlugs')) WHERE value = ${query.service.slug})))`
    : sql``;
  const ofPlace = query.placeId !== undefined ? sql`AND target_kind = 'place' AND target_id = ${query.placeId}` : sql``;
  // Alert templates (pages named template-…) are staff tools, not public information.
  const notTemplates = sql`AND NOT (target_kind = 'page' AND substr(json_extract(content, '$.slug'), 1, ${TEMPLATE_SLUG_PREFIX.length}) = ${TEMPLATE_SLUG_PREFIX})`;
  const after = query.afterSeq !== undefined ? sql`AND publish_seq > ${query.afterSeq}` : sql``;
  const order = query.newestFirst ? sql`ORDER BY publish_seq DESC` : sql`ORDER BY publish_seq ASC`;
  const rows = await db.all<RawChange>(sql`
    SELECT publish_seq AS seq, id, target_kind, target_id, content, summary, author_label, reviewed_at
    FROM revisions
    WHERE state = 'approved' AND publish_seq IS NOT NULL ${notTemplates} ${after} ${about} ${ofPlace}
    ${order}
    LIMIT ${query.limit}`);
  return rows.map((r) => ({
    seq: r.seq,
    revisionId: r.id,
    kind: r.target_kind,
    targetId: r.target_id,
    content: JSON.parse(r.content) as unknown,
    summary: r.summary,
    authorLabel: r.author_label,
    publishedAt: new Date(r.reviewed_at),
  }));
}
