// Setting up a site started without the demo (DEMO=off): the home of the one-time setup code and
// the first steps. While the database has no council and no accounts, `npm start` prints an
// address with a fresh setup code (only its SHA-256 is kept); /setup asks for it, so nobody who
// merely finds the new site first can claim it. That page takes the council's details and the
// first administrator's account, in one batch, and uses the code up. The administrator then
// signs in to /staff/setup: a task list of the rest — the first service, the import of its
// places, accounts for the other staff — each linking to the screen that does it.
import { count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accounts, places, services, settings } from '../../../db/schema/index.ts';
import { emailField, nameField, passwordField } from '../accounts/validation.ts';
import { auditStatement } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import { hashPassword } from '../auth/passwords.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { readFormValues, type FormIssue, type FormValues } from '../places/validation.ts';
import { bumpContentVersion } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { saveCouncilStatements, type Council } from '../settings/repository.ts';
import { codeMatches, needsSetup, SETUP_CODE_KEY } from './code.ts';
import { COUNCIL_DETAILS_FIELDS, parseCouncilDetails } from '../settings/validation.ts';

export const ACCOUNT_FIELDS = ['account-name', 'email', 'password'] as const;
const SETUP_FIELDS = [...COUNCIL_DETAILS_FIELDS, ...ACCOUNT_FIELDS] as const;

export interface SetupForm {
  code: string;
  values: FormValues;
  issues: FormIssue[];
}

/** The setup page, or a 404 once the site is set up or without the right code. */
async function requireSetupCode(db: Database, code: string): Promise<void> {
  if (!(await needsSetup(db)) || !(await codeMatches(db, code))) throw new NotFoundError('This site is already set up, or the setup address is not the latest one');
}

export async function loadSetupForm(params: URLSearchParams): Promise<SetupForm> {
  const code = params.get('code') ?? '';
  await requireSetupCode(await getDb(), code);
  return { code, values: Object.fromEntries(SETUP_FIELDS.map((f) => [f, ''])), issues: [] };
}

export type SetupResult = { ok: true; redirect: string } | { ok: false; status: 400; form: SetupForm };

const accountSchema = z.object({ 'account-name': nameField, email: emailField, password: passwordField });

/** Saves the council's details and creates the first administrator, using the code up. */
export async function completeSetup(form: FormData, now: Date): Promise<SetupResult> {
  const db = await getDb();
  const code = typeof form.get('code') === 'string' ? (form.get('code') as string) : '';
  await requireSetupCode(db, code);
  const values = readFormValues(form, [...COUNCIL_DETAILS_FIELDS, 'account-name', 'email']);
  const password = typeof form.get('password') === 'string' ? (form.get('password') as string) : '';
  const council = parseCouncilDetails(values);
  const account = accountSchema.safeParse({ ...values, password });
  const issues = [
    ...(council.ok ? [] : council.issues),
    ...(account.success ? [] : ACCOUNT_FIELDS.flatMap((f) => account.error.issues.filter((i) => i.path[0] === f).slice(0, 1).map((i) => ({ field: f, message: i.message })))),
  ];
  if (!council.ok || !account.success) return { ok: false, status: 400, form: { code, values, issues } };
  const { outOfHoursPhone, brandColour, ...identity } = council.value;
  const details: Council = { ...identity, ...(outOfHoursPhone ? { outOfHoursPhone } : {}), ...(brandColour ? { brandColour } : {}) };
  const passwordHash = await hashPassword(account.data.password);
  const [revision, current] = saveCouncilStatements(db, details, { summary: 'Set up the site', accountId: null, at: now });
  await db.batch([
    db.insert(accounts).values({ email: account.data.email, name: account.data['account-name'], role: 'admin', passwordHash }),
    revision,
    current,
    db.delete(settings).where(eq(settings.key, SETUP_CODE_KEY)),
    bumpContentVersion(db, now),
    auditStatement(db, 'account-created', null, account.data.email, { role: 'admin', by: 'setup' }),
  ]);
  markContentChanged();
  return { ok: true, redirect: '/staff/sign-in?next=%2Fstaff%2Fsetup&set-up' };
}

export interface SetupTask {
  title: string;
  hint: string;
  href: string;
  done: boolean;
}

/** What is left to set up, as a task list, in the order to do it. */
export async function loadSetupTasks(staff: Staff): Promise<SetupTask[]> {
  if (!hasRole(staff.account.role, 'admin')) throw new ForbiddenError('This needs the admin role');
  const db = await getDb();
  const [[council], [serviceCount], [placeCount], [accountCount]] = await Promise.all([
    db.select({ n: count() }).from(settings).where(eq(settings.key, 'council')),
    db.select({ n: count() }).from(services).where(eq(services.retired, false)),
    db.select({ n: count() }).from(places).where(eq(places.retired, false)),
    db.select({ n: count() }).from(accounts),
  ]);
  return [
    { title: 'Your council’s details', hint: 'Its name, phone numbers, logo and colour.', href: '/staff/settings/council', done: (council?.n ?? 0) > 0 },
    { title: 'Add your first service', hint: 'Like schools, gritting routes or bin rounds.', href: '/staff/settings/services', done: (serviceCount?.n ?? 0) > 0 },
    { title: 'Import its places', hint: 'Schools from GIAS, or any places from a spreadsheet.', href: '/staff/import', done: (placeCount?.n ?? 0) > 0 },
    { title: 'Add accounts for your staff', hint: 'Editors and reporters, each with their own sign-in.', href: '/staff/accounts', done: (accountCount?.n ?? 0) > 1 },
  ];
}
