// Places imports: a file in, a dry run out, then — once someone has read it — applied as ONE
// change set of ordinary revisions (new places created, changed ones revised, closed ones
// withdrawn), which "Recent changes" can undo in one step. Used by /staff/import (admins) and by
// `npm run places:import` (src/scripts/places-import.ts).
import type { Author, ChangeSetResult } from '../revisions/service.ts';
import { publishChangeSet } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import type { ServiceRow } from '../services/repository.ts';
import { readGiasRows } from './gias.ts';
import { describePlan, planImport, type ImportPlan, type ImportSource } from './plan.ts';
import { readPlacesCsvRows } from './places-csv.ts';
import { listServicePlacesForImport } from './repository.ts';

export interface ImportFile {
  source: ImportSource;
  bytes: Uint8Array;
  /** GIAS only: the local authority's three-digit code (Kirklees is 382). */
  laCode?: string;
}

export type PlanResult = { ok: true; plan: ImportPlan } | { ok: false; message: string };

/** The dry run of importing `file` into `service`: nothing is written. */
export async function planImportFile(db: Database, service: Pick<ServiceRow, 'id'>, file: ImportFile): Promise<PlanResult> {
  const read = file.source === 'gias' ? readGiasRows(file.bytes, file.laCode ?? '') : readPlacesCsvRows(file.bytes);
  if (!read.ok) return read;
  const otherAuthority = 'otherAuthority' in read ? (read as { otherAuthority: number }).otherAuthority : 0;
  if (read.rows.length === 0) {
    const why = file.source === 'gias'
      ? `The file has no establishments of local authority ${file.laCode}${otherAuthority > 0 ? ` (it has ${otherAuthority} of other authorities)` : ''}`
      : 'The file has no places that could be read';
    const first = read.problems[0];
    return { ok: false, message: first ? `${why}. Line ${first.line}: ${first.message}` : why };
  }
  const existing = await listServicePlacesForImport(db, service.id);
  return { ok: true, plan: planImport({ source: file.source, serviceId: service.id, rows: read.rows, existing, problems: read.problems, otherAuthority }) };
}

/** What a change set of an import is called in Recent changes. */
export function importSummary(plan: ImportPlan, serviceName: string): string {
  const from = plan.source === 'gias' ? 'from GIAS' : 'from a spreadsheet';
  return `Imported ${serviceName.toLowerCase()} ${from}: ${describePlan(plan)}`;
}

export type ApplyResult = Extract<ChangeSetResult, { ok: true }>;

/**
 * Applies a dry run as one change set (kind `import`) in one atomic batch. A place changed by
 * someone since the dry run is left alone (and listed in `conflicts`); everything else publishes.
 */
export async function applyImportPlan(db: Database, plan: ImportPlan, options: { author: Author; summary: string; at: Date }): Promise<ApplyResult> {
  const items = [
    ...plan.changed.map((c) => ({ targetId: c.placeId, baseRevisionId: c.baseRevisionId, draft: { kind: 'place' as const, draft: c.draft }, summary: `Import: ${c.changes.map((f) => f.label.toLowerCase()).join(', ')} changed` })),
    ...plan.withdrawn.map((w) => ({ targetId: w.placeId, baseRevisionId: w.baseRevisionId, draft: { kind: 'place' as const, draft: w.draft }, summary: 'Import: closed in the register, withdrawn' })),
  ];
  const creations = plan.created.map((c) => ({ draft: { kind: 'place' as const, draft: c.draft }, summary: 'Import: added' }));
  const result = await publishChangeSet(db, items, { kind: 'import', author: options.author, summary: options.summary, at: options.at, creations });
  if (!result.ok) throw new Error('An import is never an undo');
  return result;
}
