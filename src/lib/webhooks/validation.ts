// The admin form for a partner's webhook: what the person typed (kept verbatim, so a form with
// errors comes back as it was sent) and its validation, including which addresses a hook may
// have. Pure: which services exist is passed in.
import { isIP } from 'node:net';
import type { FormIssue } from '../auth/service.ts';
import { isPublicAddress } from '../neighbours/fetch.ts';

export const WEBHOOK_NAME_MAX = 100;
export const WEBHOOK_URL_MAX = 2_000;

export interface WebhookFormValues {
  name: string;
  url: string;
  /** Service slugs ticked; none ticked means every service and every alert. */
  services: string[];
}

export interface WebhookInput {
  name: string;
  url: string;
  serviceSlugs: string[];
}

export function blankWebhookForm(): WebhookFormValues {
  return { name: '', url: '', services: [] };
}

export function readWebhookForm(form: FormData): WebhookFormValues {
  const name = form.get('name');
  const url = form.get('url');
  return {
    name: typeof name === 'string' ? name : '',
    url: typeof url === 'string' ? url : '',
    services: form.getAll('services').filter((v): v is string => typeof v === 'string'),
  };
}

/**
 * Whether hooks may point at this machine or a private network: only when the site itself is
 * served over plain http (development, tests). In production (an https: SITE_URL) never.
 */
export function webhooksMayUsePrivateAddresses(siteUrl: string): boolean {
  return siteUrl.startsWith('http:');
}

const isLoopbackHost = (host: string) => /^localhost$|\.localhost$/i.test(host) || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * The rules for a hook's address. Always https, except that with a http: SITE_URL a hook may
 * use http on this machine (a local receiver while developing). In production the host must
 * not be written as a private address or localhost; the sender checks what a name resolves to
 * each time it connects (webhook-sender.ts).
 */
export function checkWebhookAddress(raw: string, siteUrl: string): { ok: true; url: string } | { ok: false; message: string } {
  const value = raw.trim();
  if (!value) return { ok: false, message: 'Enter the web address of the webhook' };
  if (value.length > WEBHOOK_URL_MAX) return { ok: false, message: `The web address must be ${WEBHOOK_URL_MAX} characters or fewer` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: 'Enter a web address that starts with https://' };
  }
  if (url.username || url.password) return { ok: false, message: 'The web address must not contain a user name or password' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const development = webhooksMayUsePrivateAddresses(siteUrl);
  if (url.protocol === 'http:' && development && isLoopbackHost(host)) return { ok: true, url: url.href };
  if (url.protocol !== 'https:') {
    return { ok: false, message: development ? 'Enter a web address that starts with https:// (http:// only works for this computer)' : 'Enter a web address that starts with https://' };
  }
  if (!development && ((isIP(host) && !isPublicAddress(host)) || isLoopbackHost(host))) {
    return { ok: false, message: 'The web address points to a private or local network, which is not allowed' };
  }
  return { ok: true, url: url.href };
}

/** The form checked: the hook to save, or the problems (each for the field it is about). */
export function parseWebhookForm(
  values: WebhookFormValues,
  knownServiceSlugs: readonly string[],
  siteUrl: string,
): { ok: true; input: WebhookInput } | { ok: false; issues: FormIssue[] } {
  const issues: FormIssue[] = [];
  const name = values.name.trim().replace(/\s+/g, ' ');
  if (!name) issues.push({ field: 'name', message: 'Enter who the webhook is for' });
  else if (name.length > WEBHOOK_NAME_MAX) issues.push({ field: 'name', message: `The name must be ${WEBHOOK_NAME_MAX} characters or fewer` });
  const address = checkWebhookAddress(values.url, siteUrl);
  if (!address.ok) issues.push({ field: 'url', message: address.message });
  const unknown = values.services.filter((slug) => !knownServiceSlugs.includes(slug));
  if (unknown.length > 0) issues.push({ field: 'services', message: 'Select services from the list' });
  if (issues.length > 0 || !address.ok) return { ok: false, issues };
  const serviceSlugs = knownServiceSlugs.filter((slug) => values.services.includes(slug));
  return { ok: true, input: { name, url: address.url, serviceSlugs } };
}
