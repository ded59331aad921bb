// Queries behind places imports: a service's places as their current revisions hold them, and
// the import runs waiting for (or done with) an administrator's decision.
import { and, eq, isNull } from 'drizzle-orm';
import { importRuns, places, revisions } from '../../../db/schema/index.ts';
import type { PlaceContent } from '../revisions/content.ts';
import { withoutHtml } from '../revisions/editing.ts';
import type { Database } from '../server/database.ts';
import type { ExistingPlace, ImportPlan, ImportSource } from './plan.ts';

/** Every place of the service, withdrawn ones too, with the content of its published revision. */
export async function listServicePlacesForImport(db: Database, serviceId: number): Promise<ExistingPlace[]> {
  const rows = await db
    .select({ id: places.id, currentRevisionId: places.currentRevisionId, content: revisions.content })
    .from(places)
    .innerJoin(revisions, eq(revisions.id, places.currentRevisionId))
    .where(eq(places.serviceId, serviceId));
  return rows.map((r) => ({ id: r.id, currentRevisionId: r.currentRevisionId!, content: withoutHtml<'place'>(r.content as PlaceContent) }));
}

export type ImportRunRow = typeof importRuns.$inferSelect & { plan: ImportPlan };

export async function insertImportRun(
  db: Database,
  run: { id: string; accountId: number | null; serviceId: number; source: ImportSource; fileName: string; plan: ImportPlan; at: Date },
): Promise<void> {
  await db.insert(importRuns).values({ id: run.id, accountId: run.accountId, serviceId: run.serviceId, source: run.source, fileName: run.fileName, plan: run.plan, createdAt: run.at });
}

export async function findImportRun(db: Database, id: string): Promise<ImportRunRow | undefined> {
  const [row] = await db.select().from(importRuns).where(eq(importRuns.id, id));
  return row as ImportRunRow | undefined;
}

/** Claims the run for applying, in one statement: true for exactly one of any number of tries. */
export async function claimImportRun(db: Database, id: string, at: Date): Promise<boolean> {
  const claimed = await db.update(importRuns).set({ appliedAt: at }).where(and(eq(importRuns.id, id), isNull(importRuns.appliedAt))).returning({ id: importRuns.id });
  return claimed.length > 0;
}

/** Gives a claimed run back (applying it failed), so it can be tried again. */
export async function releaseImportRun(db: Database, id: string): Promise<void> {
  await db.update(importRuns).set({ appliedAt: null }).where(and(eq(importRuns.id, id), isNull(importRuns.changeSetId)));
}

/** Records the change set applying the run made. */
export async function setImportRunChangeSet(db: Database, id: string, changeSetId: number): Promise<void> {
  await db.update(importRuns).set({ changeSetId }).where(eq(importRuns.id, id));
}
