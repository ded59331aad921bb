// The admin's use cases for neighbouring councils and their feeds, one function per action,
// for the /staff/neighbours screens. Each takes the database and what the form sent; expected
// failures come back as { ok: false, issues } for the GOV.UK error summary (field = the
// input's id), an unknown id throws NotFoundError (the 404 page).
import type { FormIssue } from '../auth/service.ts';
import { NotFoundError } from '../errors.ts';
import type { Database } from '../server/database.ts';
import { findServiceBySlug } from '../services/repository.ts';
import { classifyItem } from './classify.ts';
import {
  deleteNeighbourCouncil,
  deleteNeighbourSource,
  findNeighbourCouncil,
  findNeighbourSource,
  insertNeighbourCouncil,
  insertNeighbourSource,
  listAllItemsForClassification,
  listNeighbourCouncils,
  loadClassificationRules,
  replaceServiceKeywords,
  setNeighbourSourcePaused,
  updateItemServices,
  updateNeighbourCouncil,
  updateNeighbourSource,
} from './repository.ts';
import {
  parseKeywordsForm,
  parseNeighbourCouncilForm,
  parseNeighbourSourceForm,
  type NeighbourCouncilFormValues,
  type NeighbourSourceFormValues,
} from './validation.ts';

export type NeighbourFormOutcome = { ok: true; id: number } | { ok: false; issues: FormIssue[] };

/** Adds a neighbouring council. A blank position puts it last. */
export async function addNeighbourCouncil(db: Database, values: NeighbourCouncilFormValues): Promise<NeighbourFormOutcome> {
  const parsed = parseNeighbourCouncilForm(values);
  if (!parsed.ok) return parsed;
  const existing = await listNeighbourCouncils(db);
  const sortOrder = parsed.values.sortOrder ?? existing.reduce((max, c) => Math.max(max, c.sortOrder), 0) + 1;
  const id = await insertNeighbourCouncil(db, { ...parsed.values, sortOrder });
  if (id === null) return { ok: false, issues: [{ field: values.slug.trim() ? 'slug' : 'name', message: 'There is already a council with that short name' }] };
  return { ok: true, id };
}

/** Changes a neighbouring council's name, short name, website or position. */
export async function changeNeighbourCouncil(db: Database, id: number, values: NeighbourCouncilFormValues): Promise<NeighbourFormOutcome> {
  const current = await findNeighbourCouncil(db, id);
  if (!current) throw new NotFoundError(`No neighbouring council ${id}`);
  const parsed = parseNeighbourCouncilForm(values);
  if (!parsed.ok) return parsed;
  try {
    await updateNeighbourCouncil(db, id, { ...parsed.values, sortOrder: parsed.values.sortOrder ?? current.sortOrder });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, issues: [{ field: 'slug', message: 'There is already a council with that short name' }] };
    throw error;
  }
  return { ok: true, id };
}

/** Removes a council, its feeds and everything read from them. */
export async function removeNeighbourCouncil(db: Database, id: number): Promise<void> {
  if (!(await deleteNeighbourCouncil(db, id))) throw new NotFoundError(`No neighbouring council ${id}`);
}

/** Adds a feed to a council. It is read on the next poll (within a minute when polling is on). */
export async function addNeighbourSource(db: Database, values: NeighbourSourceFormValues): Promise<NeighbourFormOutcome> {
  const parsed = parseNeighbourSourceForm(values);
  if (!parsed.ok) return parsed;
  if (!(await findNeighbourCouncil(db, parsed.values.councilId))) return { ok: false, issues: [{ field: 'councilId', message: 'Select a council' }] };
  const id = await insertNeighbourSource(db, parsed.values);
  if (id === null) return { ok: false, issues: [{ field: 'url', message: 'This council already has a feed with that address' }] };
  return { ok: true, id };
}

/** Changes a feed's name, address or council; a new address is read afresh. */
export async function changeNeighbourSource(db: Database, id: number, values: NeighbourSourceFormValues): Promise<NeighbourFormOutcome> {
  if (!(await findNeighbourSource(db, id))) throw new NotFoundError(`No neighbour feed ${id}`);
  const parsed = parseNeighbourSourceForm(values);
  if (!parsed.ok) return parsed;
  if (!(await findNeighbourCouncil(db, parsed.values.councilId))) return { ok: false, issues: [{ field: 'councilId', message: 'Select a council' }] };
  const outcome = await updateNeighbourSource(db, id, parsed.values);
  if (outcome === 'not_found') throw new NotFoundError(`No neighbour feed ${id}`);
  if (outcome === 'duplicate') return { ok: false, issues: [{ field: 'url', message: 'This council already has a feed with that address' }] };
  return { ok: true, id };
}

/** Stops reading a feed until it is resumed; what was read stays. */
export async function pauseNeighbourSource(db: Database, id: number): Promise<void> {
  if (!(await setNeighbourSourcePaused(db, id, true))) throw new NotFoundError(`No neighbour feed ${id}`);
}

/** Reads a paused feed again, from the next poll. */
export async function resumeNeighbourSource(db: Database, id: number): Promise<void> {
  if (!(await setNeighbourSourcePaused(db, id, false))) throw new NotFoundError(`No neighbour feed ${id}`);
}

/** Removes a feed and the items first read from it. */
export async function removeNeighbourSource(db: Database, id: number): Promise<void> {
  if (!(await deleteNeighbourSource(db, id))) throw new NotFoundError(`No neighbour feed ${id}`);
}

/**
 * Replaces a service's keywords (one phrase a line) and classifies every stored item again,
 * so the coverage screen reflects the new rules at once.
 */
export async function changeServiceKeywords(db: Database, serviceSlug: string, keywords: string): Promise<{ ok: true; reclassified: number } | { ok: false; issues: FormIssue[] }> {
  const service = await findServiceBySlug(db, serviceSlug);
  if (!service) throw new NotFoundError(`No service ${serviceSlug}`);
  const parsed = parseKeywordsForm(keywords);
  if (!parsed.ok) return parsed;
  await replaceServiceKeywords(db, service.id, parsed.phrases);
  return { ok: true, reclassified: await reclassifyNeighbourItems(db) };
}

/** Classifies every stored item again with the current keywords; returns how many changed service. */
export async function reclassifyNeighbourItems(db: Database): Promise<number> {
  const rules = await loadClassificationRules(db);
  const changes = (await listAllItemsForClassification(db)).flatMap((item) => {
    const serviceSlug = classifyItem(item, rules);
    return serviceSlug === item.serviceSlug ? [] : [{ id: item.id, serviceSlug }];
  });
  await updateItemServices(db, changes);
  return changes.length;
}

function isUniqueViolation(error: unknown): boolean {
  const messages = [String((error as Error)?.message ?? ''), String((error as { cause?: Error })?.cause?.message ?? '')];
  return messages.some((m) => /UNIQUE constraint failed/i.test(m));
}
