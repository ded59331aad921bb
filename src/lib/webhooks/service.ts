// Partners' webhooks (radio stations, school websites, the local paper), for administrators:
// /staff/webhooks lists them and adds one; /staff/webhooks/{id} pauses, resumes, gives it a new
// secret or removes it, and shows its delivery log. The sending itself is the delivery
// worker's (../notifications/); this module only manages hooks and reads what the worker wrote.
//
// A hook's secret is shown once, in the answer to the form that made it (not after a redirect:
// the secret must not travel in an address or sit in a page anyone can reload later).
import { randomBytes } from 'node:crypto';
import { auditStatement, recordAudit } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { NotFoundError } from '../errors.ts';
import { config } from '../server/config.ts';
import { getDb } from '../server/db.ts';
import { listServices } from '../services/repository.ts';
import { formatDateTime, formatTime } from '../time/london.ts';
import {
  findWebhook,
  insertWebhook,
  listWaitingDeliveries,
  listWebhookAttempts,
  listWebhooks,
  removeWebhookStatements,
  replaceWebhookSecretStatement,
  setWebhookActiveStatement,
  type WebhookListing,
  type WebhookRow,
} from './repository.ts';
import { blankWebhookForm, parseWebhookForm, readWebhookForm, webhooksMayUsePrivateAddresses, type WebhookFormValues } from './validation.ts';

/** How many attempts the delivery log shows. */
export const LOG_SIZE = 100;

export interface ScreenBanner {
  kind: 'success' | 'important';
  heading: string;
  text: string | null;
}

/** A secret just made: shown on this one page, with how to check a signature. */
export interface NewSecret {
  webhookId: number;
  webhookName: string;
  secret: string;
}

export interface ServiceChoice {
  slug: string;
  name: string;
}

export interface WebhookView {
  id: number;
  name: string;
  url: string;
  active: boolean;
  /** "Every service and alert", or the services' names. */
  services: string;
  /** The last try in words: "Delivered 7:12am today (HTTP 200)", "Not delivered …: HTTP 500". */
  lastResult: string;
  lastOk: boolean | null;
  waiting: number;
}

export interface WebhooksScreen {
  hooks: WebhookView[];
  services: ServiceChoice[];
  banner: ScreenBanner | null;
  /** Hooks may use http:// on this computer (the site runs on http: — development only). */
  localHttpAllowed: boolean;
}

export interface AttemptView {
  at: string;
  attempt: number;
  /** "HTTP 200", or "No answer". */
  status: string;
  ok: boolean;
  /** Why it failed, or "" when it worked. */
  why: string;
  /** What happened next: "Delivered", "Tried again", "Will try again", "Gave up". */
  outcome: string;
  duration: string;
  delivery: string;
}

export interface WaitingView {
  delivery: string;
  tries: number;
  next: string;
  lastError: string;
}

export interface WebhookScreen {
  hook: WebhookView & { createdAt: string };
  attempts: AttemptView[];
  waiting: WaitingView[];
  banner: ScreenBanner | null;
  confirmingRemoval: boolean;
}

export type WebhookFormOutcome = { ok: true; newSecret: NewSecret } | { ok: false; status: 400; issues: FormIssue[]; values: WebhookFormValues };

const makeSecret = () => randomBytes(32).toString('hex');

const secondFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', second: '2-digit' });

/** "7:12:05am today": log lines seconds apart must be told apart. */
function formatLogTime(date: Date, now: Date): string {
  const seconds = secondFormat.format(date).padStart(2, '0');
  return formatDateTime(date, now).replace(formatTime(date), formatTime(date).replace(/(am|pm)$/, `:${seconds}$1`));
}

function parseWebhookId(param: string | undefined): number {
  if (!param || !/^\d{1,12}$/.test(param) || Number(param) < 1) throw new NotFoundError(`No webhook "${param ?? ''}"`);
  return Number(param);
}

async function serviceChoices(): Promise<ServiceChoice[]> {
  return (await listServices(await getDb())).map((s) => ({ slug: s.slug, name: s.name }));
}

function describeServices(slugs: readonly string[], services: readonly ServiceChoice[]): string {
  if (slugs.length === 0) return 'Every service and alert';
  return slugs.map((slug) => services.find((s) => s.slug === slug)?.name ?? slug).join(', ');
}

function describeHook(hook: WebhookListing, services: readonly ServiceChoice[], now: Date): WebhookView {
  const last = hook.lastAttempt;
  const ok = last ? last.error === null : null;
  const lastResult = !last
    ? 'Nothing sent yet'
    : ok
      ? `Delivered ${formatDateTime(last.attemptedAt, now)}${last.httpStatus ? ` (HTTP ${last.httpStatus})` : ''}`
      : `Not delivered ${formatDateTime(last.attemptedAt, now)}: ${last.error}`;
  return { id: hook.id, name: hook.name, url: hook.url, active: hook.active, services: describeServices(hook.serviceSlugs, services), lastResult, lastOk: ok, waiting: hook.waiting };
}

/** The list of hooks, with the banner for `?done=…`. */
export async function loadWebhooksScreen(params: URLSearchParams, now: Date): Promise<WebhooksScreen> {
  const db = await getDb();
  const [rows, services] = await Promise.all([listWebhooks(db), serviceChoices()]);
  const hooks = rows.map((row) => describeHook(row, services, now));
  let banner: ScreenBanner | null = null;
  if (params.get('done') === 'removed') banner = { kind: 'success', heading: 'Webhook removed', text: 'Nothing more will be sent to it.' };
  return { hooks, services, banner, localHttpAllowed: webhooksMayUsePrivateAddresses(config.siteUrl) };
}

export function blankForm(): WebhookFormValues {
  return blankWebhookForm();
}

/** Adds a hook from the form; its secret is returned to be shown once. */
export async function addWebhook(staff: Staff, form: FormData, now: Date): Promise<WebhookFormOutcome> {
  const values = readWebhookForm(form);
  const services = await serviceChoices();
  const parsed = parseWebhookForm(values, services.map((s) => s.slug), config.siteUrl);
  if (!parsed.ok) return { ok: false, status: 400, issues: parsed.issues, values };
  const db = await getDb();
  const secret = makeSecret();
  const id = await insertWebhook(db, { ...parsed.input, secret, createdByAccountId: staff.account.id, now });
  await recordAudit(db, 'webhook-added', staff.account.id, parsed.input.name, { webhookId: id, url: parsed.input.url, services: parsed.input.serviceSlugs });
  return { ok: true, newSecret: { webhookId: id, webhookName: parsed.input.name, secret } };
}

async function requireWebhook(param: string | undefined): Promise<WebhookRow> {
  const hook = await findWebhook(await getDb(), parseWebhookId(param));
  if (!hook) throw new NotFoundError(`No webhook "${param ?? ''}"`);
  return hook;
}

/** One hook: its details, the newest attempts and what waits to go. */
export async function loadWebhookScreen(param: string | undefined, params: URLSearchParams, now: Date): Promise<WebhookScreen> {
  const hook = await requireWebhook(param);
  const db = await getDb();
  const [listing, services, attempts, waiting] = await Promise.all([
    listWebhooks(db).then((rows) => rows.find((r) => r.id === hook.id)!),
    serviceChoices(),
    listWebhookAttempts(db, hook.id, LOG_SIZE),
    listWaitingDeliveries(db, hook.id),
  ]);
  const done = params.get('done');
  const banner: ScreenBanner | null =
    done === 'paused'
      ? { kind: 'success', heading: 'Webhook paused', text: 'Nothing is sent to it until you resume it. Changes published while it is paused are not sent later.' }
      : done === 'resumed'
        ? { kind: 'success', heading: 'Webhook resumed', text: 'The next published change will be sent to it.' }
        : null;
  return {
    hook: { ...describeHook(listing, services, now), createdAt: formatDateTime(hook.createdAt, now) },
    attempts: attempts.map((a) => {
      const ok = a.error === null;
      const lastTry = a.attempt === a.deliveryAttempts;
      return {
        at: formatLogTime(a.attemptedAt, now),
        attempt: a.attempt,
        status: a.httpStatus ? `HTTP ${a.httpStatus}` : 'No answer',
        ok,
        why: a.error ?? '',
        outcome: ok ? 'Delivered' : !lastTry ? 'Tried again' : a.deliveryState === 'failed' ? 'Gave up' : 'Will try again',
        duration: a.durationMs < 1000 ? `${a.durationMs} ms` : `${(a.durationMs / 1000).toFixed(1)} s`,
        delivery: a.deliveryKey,
      };
    }),
    waiting: waiting.map((d) => ({
      delivery: d.key,
      tries: d.attempts,
      next: d.nextAttemptAt.getTime() <= now.getTime() ? 'Now' : formatLogTime(d.nextAttemptAt, now),
      lastError: d.lastError ?? '',
    })),
    banner,
    confirmingRemoval: params.get('confirm') === 'remove',
  };
}

export async function pauseWebhook(staff: Staff, param: string | undefined): Promise<{ redirect: string }> {
  const hook = await requireWebhook(param);
  const db = await getDb();
  await db.batch([setWebhookActiveStatement(db, hook.id, false), auditStatement(db, 'webhook-paused', staff.account.id, hook.name, { webhookId: hook.id })]);
  return { redirect: `/staff/webhooks/${hook.id}?done=paused` };
}

export async function resumeWebhook(staff: Staff, param: string | undefined): Promise<{ redirect: string }> {
  const hook = await requireWebhook(param);
  const db = await getDb();
  await db.batch([setWebhookActiveStatement(db, hook.id, true), auditStatement(db, 'webhook-resumed', staff.account.id, hook.name, { webhookId: hook.id })]);
  return { redirect: `/staff/webhooks/${hook.id}?done=resumed` };
}

/** Gives a hook a new secret (the old one stops working at once); the new one is shown once. */
export async function replaceSecretOfWebhook(staff: Staff, param: string | undefined): Promise<NewSecret> {
  const hook = await requireWebhook(param);
  const db = await getDb();
  const secret = makeSecret();
  await db.batch([replaceWebhookSecretStatement(db, hook.id, secret), auditStatement(db, 'webhook-secret-replaced', staff.account.id, hook.name, { webhookId: hook.id })]);
  return { webhookId: hook.id, webhookName: hook.name, secret };
}

/** Removes a hook once the confirmation step was taken; without it, back to that step. */
export async function removeWebhook(staff: Staff, param: string | undefined, form: FormData, now: Date): Promise<{ redirect: string }> {
  const hook = await requireWebhook(param);
  if (form.get('confirm') !== 'yes') return { redirect: `/staff/webhooks/${hook.id}?confirm=remove` };
  const db = await getDb();
  const [first, ...rest] = removeWebhookStatements(db, hook.id, now);
  await db.batch([first!, ...rest, auditStatement(db, 'webhook-removed', staff.account.id, hook.name, { webhookId: hook.id, url: hook.url })]);
  return { redirect: '/staff/webhooks?done=removed' };
}
