// The transactional outbox: the statements that record "someone should be told about this",
// added to the very batch that publishes or reviews it (one BEGIN IMMEDIATE … COMMIT), so a
// change is never published without its record, nor recorded without being published.
import { sql } from 'drizzle-orm';
import type { Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';

/**
 * Records the revisions this batch published: every change-log position after the last one an
 * event covers. It must run after the batch's revisions are written; inside the batch's write
 * lock no other process can publish in between. Nothing is recorded when nothing was published.
 */
export function recordPublishEvent(db: Database, at: Date): Statement {
  return db.run(sql`
    INSERT INTO notification_events (kind, from_seq, to_seq, occurred_at)
    SELECT 'publish', min(publish_seq), max(publish_seq), ${at.getTime()} FROM revisions
    WHERE publish_seq > (SELECT coalesce(max(to_seq), 0) FROM notification_events)
    HAVING count(*) > 0`);
}

/**
 * Records that a resident who left an email address should hear what happened to their
 * suggestion. Runs after the statement that closes it, and records nothing if that did not.
 */
export function recordSuggestionOutcomeEvent(db: Database, suggestionId: number, at: Date): Statement {
  return db.run(sql`
    INSERT INTO notification_events (kind, key, suggestion_id, occurred_at)
    SELECT 'suggestion_outcome', 'outcome:' || id, id, ${at.getTime()} FROM suggestions
    WHERE id = ${suggestionId} AND outcome <> 'waiting' AND coalesce(contact_email, '') <> ''
    ON CONFLICT (key) DO NOTHING`);
}

/**
 * Records that a neighbour published something we have not covered, for the staff who asked to
 * be told: one event per item (`uncovered:{itemId}`), written in the batch that stores the item,
 * after its insert. Items already stored are recorded at most once, by the key.
 */
export function recordNeighbourUncoveredEvents(db: Database, councilId: number, itemKeys: readonly string[], at: Date): Statement {
  return db.run(sql`
    INSERT INTO notification_events (kind, key, neighbour_item_id, occurred_at)
    SELECT 'neighbour_uncovered', 'uncovered:' || id, id, ${at.getTime()} FROM neighbour_items
    WHERE council_id = ${councilId} AND item_key IN (${sql.join(itemKeys.map((key) => sql`${key}`), sql`, `)})
    ON CONFLICT (key) DO NOTHING`);
}
