// Staff accounts: the admin's use cases (create, edit, roles, places, disable, passwords), each
// member of staff's own security settings (two-factor, password), and the read models behind
// /staff/accounts, /staff/audit and /staff/security. Every change is audited in its write batch
// (see repository.ts). Expected failures come back as { ok: false, issues } for the error summary.
import { createTOTPKeyURI, verifyTOTPWithGracePeriod } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { z } from 'zod';
import {
  AUDIT_ACTION_LABEL,
  AUDIT_ACTIONS,
  countAuditEvents,
  isAuditAction,
  listAuditEventsPage,
  recordAudit,
  type AuditAction,
} from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { clearEvents, isLimited, recordEvent, SIGN_IN_PER_ACCOUNT } from '../auth/rate-limit.ts';
import { describeSignInDetail } from '../auth/sign-in-limits.ts';
import { ROLE_LABEL, type Role } from '../auth/roles.ts';
import { openAccountTotpKey, sealAccountTotpKey, TWO_FACTOR_UNAVAILABLE } from '../auth/totp-keys.ts';
import type { FormIssue } from '../auth/service.ts';
import { invalidateAccountSessions } from '../auth/sessions.ts';
import { NotFoundError } from '../errors.ts';
import { logEvent } from '../logging/log.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import {
  clearTotpKey,
  deleteGrant,
  findAccount,
  findAccountByEmail,
  findGrantablePlace,
  hasGrant,
  insertAccount,
  insertGrant,
  listAccountSummaries,
  listGrantedPlaces,
  saveTotpKey,
  searchPlacesToGrant,
  updateAccountDetails,
  updateAccountDisabled,
  updateAccountRole,
  updatePassword,
  type AccountRow,
  type AccountSummary,
  type AuditContext,
  type GrantablePlace,
} from './repository.ts';
import {
  accountDetailsSchema,
  newAccountSchema,
  ownPasswordSchema,
  placeIdField,
  roleChangeSchema,
  setPasswordSchema,
  totpCodeField,
} from './validation.ts';

export type { FormIssue };

/** A use case's answer: done, or the problems to show (400), or "too many attempts" (429). */
export type Outcome<T extends object = object> = ({ ok: true } & T) | { ok: false; status: 400 | 429 | 503; issues: FormIssue[] };

const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
/** Accept the previous and next code too: phones' clocks drift, and typing takes time. */
const TOTP_GRACE_SECONDS = 30;
const TOTP_KEY_BYTES = 20;
/** How many place search results the account page lists. */
const SEARCH_LIMIT = 25;
export const AUDIT_PAGE_SIZE = 200;

/** The role choices on the account forms, with what each may do. */
export const ROLE_OPTIONS: { value: Role; label: string; hint: string }[] = [
  { value: 'reporter', label: ROLE_LABEL.reporter, hint: 'Can update only the places they are given, such as a school office and its school' },
  { value: 'editor', label: ROLE_LABEL.editor, hint: 'Can update every place, alert and page, review suggestions and undo changes' },
  { value: 'admin', label: ROLE_LABEL.admin, hint: 'Everything an editor can do, and manage accounts, services and neighbouring councils' },
];

const TOO_MANY_ATTEMPTS = 'There have been too many wrong attempts. Wait 15 minutes, then try again';
const EMAIL_TAKEN = 'There is already an account with this email address';

function invalid(issues: FormIssue[]): Outcome<never> {
  return { ok: false, status: 400, issues };
}

/** Zod issues as form issues; `ids` maps a schema key to its input's id where they differ. */
function issuesOf(error: z.ZodError, ids: Record<string, string> = {}): FormIssue[] {
  const seen = new Set<string>();
  const issues: FormIssue[] = [];
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    const field = ids[key] ?? key;
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ field, message: issue.message });
  }
  return issues;
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

function auditContext(actor: Staff, account: Pick<AccountRow, 'email'>): AuditContext {
  return { actorId: actor.account.id, subject: account.email };
}

/** An account id from the address; anything else is a page that does not exist. */
export function parseAccountId(param: string | undefined): number {
  const id = Number(param);
  if (!param || !/^\d{1,12}$/.test(param) || !Number.isSafeInteger(id) || id < 1) throw new NotFoundError('No such account');
  return id;
}

async function requireAccount(accountId: number): Promise<AccountRow> {
  const account = await findAccount(await getDb(), accountId);
  if (!account) throw new NotFoundError('No such account');
  return account;
}

function isUniqueViolation(error: unknown): boolean {
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return /UNIQUE constraint failed/i.test(message);
}

// ---------------------------------------------------------------------------------------------
// Administrators: accounts

/** Creates a staff account with an initial password the admin passes on. */
export async function createAccount(actor: Staff, form: FormData): Promise<Outcome<{ accountId: number }>> {
  const parsed = newAccountSchema.safeParse({ name: text(form, 'name'), email: text(form, 'email'), role: text(form, 'role'), password: text(form, 'password') });
  if (!parsed.success) return invalid(issuesOf(parsed.error));
  const db = await getDb();
  if (await findAccountByEmail(db, parsed.data.email)) return invalid([{ field: 'email', message: EMAIL_TAKEN }]);
  try {
    return { ok: true, accountId: await insertAccount(db, parsed.data, actor.account.id) };
  } catch (error) {
    // Two admins creating the same person at once: the unique index decides.
    if (isUniqueViolation(error)) return invalid([{ field: 'email', message: EMAIL_TAKEN }]);
    throw error;
  }
}

/** Changes an account's name and email address. */
export async function updateAccount(actor: Staff, accountId: number, form: FormData): Promise<Outcome> {
  const account = await requireAccount(accountId);
  const parsed = accountDetailsSchema.safeParse({ name: text(form, 'name'), email: text(form, 'email') });
  if (!parsed.success) return invalid(issuesOf(parsed.error));
  const changes: Record<string, { from: string; to: string }> = {};
  if (parsed.data.name !== account.name) changes.name = { from: account.name, to: parsed.data.name };
  if (parsed.data.email !== account.email) changes.email = { from: account.email, to: parsed.data.email };
  if (Object.keys(changes).length === 0) return { ok: true };
  const db = await getDb();
  if (changes.email && (await findAccountByEmail(db, parsed.data.email))) return invalid([{ field: 'email', message: EMAIL_TAKEN }]);
  try {
    await updateAccountDetails(db, accountId, parsed.data, auditContext(actor, account), { changes });
  } catch (error) {
    if (isUniqueViolation(error)) return invalid([{ field: 'email', message: EMAIL_TAKEN }]);
    throw error;
  }
  return { ok: true };
}

/** Gives an account another role. Admins cannot demote themselves (so there is always one left). */
export async function changeRole(actor: Staff, accountId: number, form: FormData): Promise<Outcome> {
  const account = await requireAccount(accountId);
  const parsed = roleChangeSchema.safeParse({ role: text(form, 'role') });
  if (!parsed.success) return invalid(issuesOf(parsed.error));
  if (parsed.data.role === account.role) return { ok: true };
  if (account.id === actor.account.id) {
    return invalid([{ field: 'role', message: 'You cannot change your own role. Ask another administrator to do it' }]);
  }
  await updateAccountRole(await getDb(), accountId, account.role, parsed.data.role, auditContext(actor, account));
  return { ok: true };
}

/** Lets a trusted reporter publish directly to a place. */
export async function grantPlace(actor: Staff, accountId: number, form: FormData): Promise<Outcome> {
  const account = await requireAccount(accountId);
  if (account.role !== 'reporter') {
    return invalid([{ field: 'q', message: 'Only trusted reporters are given places. Editors and administrators can already update every place' }]);
  }
  const placeId = placeIdField.safeParse(text(form, 'place'));
  const db = await getDb();
  const place = placeId.success ? await findGrantablePlace(db, placeId.data) : undefined;
  if (!place) return invalid([{ field: 'q', message: 'That place could not be found. Search for it again' }]);
  if (!(await hasGrant(db, accountId, place.id))) await insertGrant(db, accountId, place, auditContext(actor, account));
  return { ok: true };
}

/** Stops an account publishing directly to a place. */
export async function removeGrant(actor: Staff, accountId: number, form: FormData): Promise<Outcome> {
  const account = await requireAccount(accountId);
  const placeId = placeIdField.safeParse(text(form, 'place'));
  if (!placeId.success) return invalid([{ field: 'granted-places', message: 'Choose a place to remove' }]);
  const db = await getDb();
  const granted = (await listGrantedPlaces(db, accountId)).find((p) => p.id === placeId.data);
  if (granted) await deleteGrant(db, accountId, granted, auditContext(actor, account));
  return { ok: true };
}

/** Disables an account and ends its sessions at once. An admin cannot disable themselves. */
export async function disableAccount(actor: Staff, accountId: number): Promise<Outcome> {
  const account = await requireAccount(accountId);
  if (account.id === actor.account.id) return invalid([{ field: 'disable', message: 'You cannot disable your own account' }]);
  const db = await getDb();
  if (!account.disabledAt) await updateAccountDisabled(db, accountId, new Date(), auditContext(actor, account));
  // Sessions of a disabled account are refused anyway; deleting them makes that visible at once.
  await invalidateAccountSessions(db, accountId);
  return { ok: true };
}

export async function enableAccount(actor: Staff, accountId: number): Promise<Outcome> {
  const account = await requireAccount(accountId);
  if (account.disabledAt) await updateAccountDisabled(await getDb(), accountId, null, auditContext(actor, account));
  return { ok: true };
}

/** An admin sets a new password (a forgotten one): the account is signed out everywhere. */
export async function setPassword(actor: Staff, accountId: number, form: FormData): Promise<Outcome> {
  const account = await requireAccount(accountId);
  const parsed = setPasswordSchema.safeParse({ password: text(form, 'password') });
  if (!parsed.success) return invalid(issuesOf(parsed.error));
  const keep = account.id === actor.account.id ? actor.session.id : null;
  await updatePassword(await getDb(), accountId, parsed.data.password, keep, auditContext(actor, account), { by: account.id === actor.account.id ? 'self' : 'admin' });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Everyone: their own security settings

function decodeSetupKey(value: string): Uint8Array | null {
  if (!/^[A-Z2-7]{32}$/.test(value)) return null;
  try {
    const key = decodeBase32IgnorePadding(value);
    return key.length === TOTP_KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

function rateLimitKey(staff: Staff): string {
  // The same key the sign-in code check counts under: wrong codes anywhere add up.
  return `account:${staff.account.id}`;
}

/**
 * Turns on two-factor authentication with the key the setup page showed (carried back in a
 * hidden field) once a code from the app proves it was typed in correctly.
 */
export async function enableTwoFactor(staff: Staff, form: FormData): Promise<Outcome> {
  const key = decodeSetupKey(text(form, 'key'));
  if (!key) return invalid([{ field: 'code', message: 'The setup key has changed. Add the key shown below to your app, then enter its code' }]);
  const code = totpCodeField.safeParse(text(form, 'code'));
  if (!code.success) return invalid(issuesOf(code.error, { '': 'code' }));
  const db = await getDb();
  const account = await requireAccount(staff.account.id);
  if (account.totpKey) return invalid([{ field: 'code', message: 'Two-factor authentication is already on' }]);
  if (!verifyTOTPWithGracePeriod(key, TOTP_PERIOD_SECONDS, TOTP_DIGITS, code.data, TOTP_GRACE_SECONDS)) {
    return invalid([{ field: 'code', message: 'The code is not right. Check the key in your app, then enter the code it shows now' }]);
  }
  let sealed: string;
  try {
    sealed = await sealAccountTotpKey(db, account.id, key);
  } catch (error) {
    logEvent('error', 'two-factor key cannot be encrypted', { accountId: account.id, error });
    return { ok: false, status: 503, issues: [{ field: 'code', message: TWO_FACTOR_UNAVAILABLE }] };
  }
  await saveTotpKey(db, account.id, sealed, staff.session.id, auditContext(staff, account));
  return { ok: true };
}

/** Turns two-factor off with a current code. Administrators must keep it once it is set. */
export async function disableTwoFactor(staff: Staff, form: FormData): Promise<Outcome> {
  const account = await requireAccount(staff.account.id);
  if (!account.totpKey) return { ok: true };
  if (account.role === 'admin') {
    return invalid([{ field: 'disable-code', message: 'Administrators cannot turn off two-factor authentication once it is set up' }]);
  }
  const code = totpCodeField.safeParse(text(form, 'disable-code'));
  if (!code.success) return invalid(issuesOf(code.error, { '': 'disable-code' }));
  const db = await getDb();
  if (await isLimited(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff))) return { ok: false, status: 429, issues: [{ field: 'disable-code', message: TOO_MANY_ATTEMPTS }] };
  const totpKey = await openAccountTotpKey(db, account.id, account.totpKey);
  if (!totpKey) return { ok: false, status: 503, issues: [{ field: 'disable-code', message: TWO_FACTOR_UNAVAILABLE }] };
  if (!verifyTOTPWithGracePeriod(totpKey, TOTP_PERIOD_SECONDS, TOTP_DIGITS, code.data, TOTP_GRACE_SECONDS)) {
    await recordEvent(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff));
    await recordAudit(db, 'two-factor-failed', account.id, account.email);
    return invalid([{ field: 'disable-code', message: 'The code is not right. Enter the code your app shows now' }]);
  }
  await clearEvents(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff));
  await clearTotpKey(db, account.id, auditContext(staff, account));
  return { ok: true };
}

/** Changes your own password; your other sessions (other browsers) are signed out. */
export async function changeOwnPassword(staff: Staff, form: FormData): Promise<Outcome> {
  const ids = { currentPassword: 'current-password', newPassword: 'new-password', confirmPassword: 'confirm-password' };
  const parsed = ownPasswordSchema.safeParse({
    currentPassword: text(form, 'current-password'),
    newPassword: text(form, 'new-password'),
    confirmPassword: text(form, 'confirm-password'),
  });
  if (!parsed.success) return invalid(issuesOf(parsed.error, ids));
  const db = await getDb();
  const account = await requireAccount(staff.account.id);
  // A session left open on a shared computer must not become a way to guess the password.
  if (await isLimited(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff))) return { ok: false, status: 429, issues: [{ field: 'current-password', message: TOO_MANY_ATTEMPTS }] };
  if (!(await verifyPassword(account.passwordHash, parsed.data.currentPassword))) {
    await recordEvent(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff));
    return invalid([{ field: 'current-password', message: 'Your current password is not right' }]);
  }
  await clearEvents(db, SIGN_IN_PER_ACCOUNT, rateLimitKey(staff));
  await updatePassword(db, account.id, parsed.data.newPassword, staff.session.id, auditContext(staff, account), { by: 'self' });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Read models

export async function loadAccounts(): Promise<AccountSummary[]> {
  return listAccountSummaries(await getDb());
}

export interface AccountEditor {
  account: AccountSummary;
  /** The admin is looking at their own account (no demoting or disabling themselves). */
  isSelf: boolean;
  grants: GrantablePlace[];
  /** The place search: what was typed, and what matched (null before a search). */
  search: { query: string; results: GrantablePlace[] | null; problem: FormIssue | null };
}

/** The admin's page for one account, with the results of a place search (`?q=`). */
export async function loadAccountEditor(actor: Staff, accountId: number, params: URLSearchParams): Promise<AccountEditor> {
  const db = await getDb();
  const [account] = await listAccountSummaries(db, accountId);
  if (!account) throw new NotFoundError('No such account');
  const grants = await listGrantedPlaces(db, accountId);
  const query = (params.get('q') ?? '').trim();
  let problem: FormIssue | null = null;
  let results: GrantablePlace[] | null = null;
  if (params.has('q')) {
    if (query === '') problem = { field: 'q', message: 'Enter the name of a place to search for' };
    else if (query.length > 100) problem = { field: 'q', message: 'Search must be 100 characters or fewer' };
    else results = await searchPlacesToGrant(db, accountId, query, SEARCH_LIMIT);
  }
  return { account, isSelf: account.id === actor.account.id, grants, search: { query: query.slice(0, 100), results, problem } };
}

export interface AuditLogEntry {
  id: number;
  at: Date;
  action: string;
  actionLabel: string;
  actor: string | null;
  subject: string;
  detail: string;
}

export interface AuditLog {
  entries: AuditLogEntry[];
  actions: { value: AuditAction; label: string }[];
  action: AuditAction | null;
  page: number;
  pageCount: number;
  total: number;
  problems: FormIssue[];
}

function roleLabel(value: unknown): string {
  return typeof value === 'string' && value in ROLE_LABEL ? ROLE_LABEL[value as Role] : String(value);
}

/** An event's detail in plain words. */
export function describeAuditDetail(action: string, detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const d = detail as Record<string, unknown>;
  switch (action) {
    case 'account-created':
      return `Role: ${roleLabel(d.role)}`;
    case 'role-changed':
      return `From ${roleLabel(d.from)} to ${roleLabel(d.to)}`;
    case 'grant-added':
    case 'grant-removed':
      return String(d.place ?? d.placeId ?? '');
    case 'account-updated': {
      const changes = (d.changes ?? {}) as Record<string, { from?: unknown; to?: unknown }>;
      return Object.entries(changes)
        .map(([field, c]) => `${field === 'email' ? 'Email address' : 'Name'} changed from ${String(c.from)} to ${String(c.to)}`)
        .join('. ');
    }
    case 'password-changed':
      return d.by === 'admin' ? 'Set by an administrator' : 'Changed by the account holder';
    case 'sign-in':
    case 'sign-in-failed':
    case 'sign-in-throttled':
    case 'sign-in-slowed':
      return describeSignInDetail(action, d);
    default:
      return Object.entries(d)
        .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
        .join(', ');
  }
}

/** The audit log, newest first, 200 events a page, optionally one kind of action (`?action=`, `?page=`). */
export async function loadAuditLog(params: URLSearchParams): Promise<AuditLog> {
  const problems: FormIssue[] = [];
  const actionParam = params.get('action') ?? '';
  let action: AuditAction | null = null;
  if (isAuditAction(actionParam)) action = actionParam;
  else if (actionParam !== '') problems.push({ field: 'action', message: 'Choose an action from the list' });
  const pageParam = params.get('page') ?? '1';
  let page = /^\d{1,6}$/.test(pageParam) ? Number(pageParam) : 0;
  if (page < 1) {
    problems.push({ field: 'action', message: 'Page must be a whole number, 1 or more' });
    page = 1;
  }
  const db = await getDb();
  const total = await countAuditEvents(db, action);
  const rows = await listAuditEventsPage(db, { action, offset: (page - 1) * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE });
  return {
    entries: rows.map((row) => ({
      id: row.id,
      at: row.at,
      action: row.action,
      actionLabel: isAuditAction(row.action) ? AUDIT_ACTION_LABEL[row.action] : row.action,
      // Accounts made with `npm run user:create` have no one signed in behind them.
      actor: row.actor ?? (row.action === 'account-created' ? 'The command line (user:create)' : null),
      subject: row.subject,
      detail: describeAuditDetail(row.action, row.detail),
    })),
    actions: AUDIT_ACTIONS.map((value) => ({ value, label: AUDIT_ACTION_LABEL[value] })),
    action,
    page,
    pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    total,
    problems,
  };
}

export interface SecurityPage {
  hasTwoFactor: boolean;
  /** Administrators keep two-factor once it is on. */
  canTurnOffTwoFactor: boolean;
  /** A key to add to an authenticator app, when setting up. */
  setup: { key: string; keyGroups: string[]; uri: string } | null;
}

/**
 * The security page. While setting up two-factor it shows a new random key — or, when a code
 * was wrong, the same key again (`submittedKey`), since it is already in the person's app.
 */
export async function loadSecurityPage(staff: Staff, options: { settingUp: boolean; submittedKey?: string }): Promise<SecurityPage> {
  const db = await getDb();
  const account = await requireAccount(staff.account.id);
  const hasTwoFactor = account.totpKey !== null;
  let setup: SecurityPage['setup'] = null;
  if (!hasTwoFactor && options.settingUp) {
    const key = decodeSetupKey(options.submittedKey ?? '') ?? crypto.getRandomValues(new Uint8Array(TOTP_KEY_BYTES));
    const encoded = encodeBase32UpperCaseNoPadding(key);
    const council = await getCouncil(db);
    setup = {
      key: encoded,
      keyGroups: encoded.match(/.{1,4}/g) ?? [encoded],
      uri: createTOTPKeyURI(council.siteName, account.email, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS),
    };
  }
  return { hasTwoFactor, canTurnOffTwoFactor: hasTwoFactor && account.role !== 'admin', setup };
}
