// /staff/import for administrators: upload a file (size-limited, multipart), read its dry run on
// a page of its own, apply it once. The dry run is kept as an import run whose random id is in
// the page's address; applying claims the run in one statement first, so a reloaded or
// resubmitted page, or two administrators pressing the button together, apply it once.
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.ts';
import { readLimitedForm } from '../http/forms.ts';
import { UPLOAD_BODY_LIMIT_BYTES } from '../http/body-limit.ts';
import { logEvent } from '../logging/log.ts';
import type { FormIssue, FormValues } from '../places/validation.ts';
import { staffAuthor } from '../revisions/editing.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { getCouncil } from '../settings/repository.ts';
import { isLaCode } from './gias.ts';
import { hasChanges, type ImportPlan, type ImportSource } from './plan.ts';
import { claimImportRun, findImportRun, insertImportRun, releaseImportRun, setImportRunChangeSet } from './repository.ts';
import { applyImportPlan, importSummary, planImportFile } from './service.ts';

export const IMPORT_FIELDS = ['service', 'source', 'la-code', 'file'] as const;

function requireAdmin(staff: Staff): void {
  if (!hasRole(staff.account.role, 'admin')) throw new ForbiddenError('This needs the admin role');
}

export interface ImportForm {
  services: { slug: string; name: string }[];
  values: FormValues;
  issues: FormIssue[];
}

/** The upload form: schools from GIAS by default. */
export async function loadImportForm(staff: Staff): Promise<ImportForm> {
  requireAdmin(staff);
  const services = await listServices(await getDb());
  const first = services.find((s) => s.slug === 'schools') ?? services[0];
  return { services: services.map(toChoice), values: { service: first?.slug ?? '', source: 'gias', 'la-code': '' }, issues: [] };
}

const toChoice = (s: ServiceRow) => ({ slug: s.slug, name: s.name });

export type UploadResult = { ok: true; redirect: string } | { ok: false; status: 400 | 413; form: ImportForm };

const MEGABYTES = UPLOAD_BODY_LIMIT_BYTES / (1024 * 1024);

/** Reads the upload and works out its dry run; nothing is published. */
export async function uploadImport(staff: Staff, request: Request, now: Date): Promise<UploadResult> {
  requireAdmin(staff);
  const db = await getDb();
  const services = await listServices(db);
  const read = await readLimitedForm(request, UPLOAD_BODY_LIMIT_BYTES);
  const form = read.ok ? read.form : null;
  const text = (name: string) => {
    const value = form?.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const values: FormValues = { service: text('service'), source: text('source'), 'la-code': text('la-code') };
  const fail = (issues: FormIssue[], status: 400 | 413 = 400): UploadResult => ({ ok: false, status, form: { services: services.map(toChoice), values, issues } });
  if (!read.ok) return fail([{ field: 'file', message: `The file must be smaller than ${MEGABYTES} MB` }], 413);
  const issues: FormIssue[] = [];
  const service = services.find((s) => s.slug === values.service);
  if (!service) issues.push({ field: 'service', message: 'Choose the service the places belong to' });
  const source = values.source === 'gias' || values.source === 'csv' ? (values.source as ImportSource) : null;
  if (!source) issues.push({ field: 'source', message: 'Choose what kind of file it is' });
  if (source === 'gias' && !isLaCode(values['la-code']!)) issues.push({ field: 'la-code', message: 'Enter your local authority code: 3 numbers, like 382' });
  const file = form?.get('file');
  if (!(file instanceof File) || file.size === 0) issues.push({ field: 'file', message: 'Choose a CSV file to upload' });
  if (issues.length > 0 || !service || !source || !(file instanceof File)) return fail(issues);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const planned = await planImportFile(db, service, { source, bytes, laCode: values['la-code'] });
  if (!planned.ok) return fail([{ field: 'file', message: planned.message }]);
  const id = randomId();
  const fileName = file.name.slice(0, 200) || 'upload.csv';
  await insertImportRun(db, { id, accountId: staff.account.id, serviceId: service.id, source, fileName, plan: planned.plan, at: now });
  return { ok: true, redirect: `/staff/import/${id}` };
}

function randomId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}

/** An import run's id from the address, or a 404 (it is random base64url). */
export function parseImportRunId(param: string | undefined): string {
  if (!param || !/^[A-Za-z0-9_-]{24}$/.test(param)) throw new NotFoundError(`No import "${param ?? ''}"`);
  return param;
}

export interface ImportRunPage {
  id: string;
  fileName: string;
  source: ImportSource;
  service: { slug: string; name: string; placeLabelPlural: string };
  plan: ImportPlan;
  canApply: boolean;
  appliedAt: Date | null;
  changeSetId: number | null;
  banner: 'applied' | 'already-applied' | null;
}

/** The dry run of one upload, or (once applied) what it did. */
export async function loadImportRun(staff: Staff, id: string, params: URLSearchParams): Promise<ImportRunPage> {
  requireAdmin(staff);
  const db = await getDb();
  const run = await findImportRun(db, id);
  if (!run) throw new NotFoundError(`No import ${id}`);
  const service = (await listServices(db)).find((s) => s.id === run.serviceId);
  if (!service) throw new NotFoundError(`No service ${run.serviceId}`);
  return {
    id: run.id,
    fileName: run.fileName,
    source: run.source,
    service: { slug: service.slug, name: service.name, placeLabelPlural: service.placeLabelPlural },
    plan: run.plan,
    canApply: run.appliedAt === null && hasChanges(run.plan),
    appliedAt: run.appliedAt,
    changeSetId: run.changeSetId,
    banner: params.has('applied') ? 'applied' : params.has('already-applied') ? 'already-applied' : null,
  };
}

/**
 * Applies the run's dry run as one change set, once: the run is claimed first, in one statement.
 * A place someone changed since the dry run is left alone by the change set's own check.
 */
export async function applyImportRun(staff: Staff, id: string, form: FormData, now: Date): Promise<{ redirect: string }> {
  requireAdmin(staff);
  if (form.get('run') !== id) throw new BadRequestError('The form is not for this import');
  const db = await getDb();
  const run = await findImportRun(db, id);
  if (!run) throw new NotFoundError(`No import ${id}`);
  if (!hasChanges(run.plan) || !(await claimImportRun(db, id, now))) return { redirect: `/staff/import/${id}?already-applied` };
  const service = (await listServices(db)).find((s) => s.id === run.serviceId);
  try {
    const council = await getCouncil(db);
    const result = await applyImportPlan(db, run.plan, { author: staffAuthor(staff, council.name), summary: importSummary(run.plan, service?.name ?? 'places'), at: now });
    if (result.changeSetId !== null) await setImportRunChangeSet(db, id, result.changeSetId);
    logEvent('info', 'import-applied', { run: id, changeSet: result.changeSetId, created: result.created.length, revised: result.published.length, leftAlone: result.conflicts.length });
  } catch (error) {
    await releaseImportRun(db, id);
    throw error;
  }
  return { redirect: `/staff/import/${id}?applied` };
}
