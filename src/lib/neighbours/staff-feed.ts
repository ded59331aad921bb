// The staff feed of urgent gaps (/staff/coverage/gaps.atom): neighbours' items in services
// flagged urgent (schools, roads) that we have not covered, for editors' feed readers until the
// notifications outbox exists. Like every /staff route it needs an editor: either a signed-in
// browser, or the editor's private address — `?token=` with a secret made on
// /staff/coverage/feed, kept only as its SHA-256, checked against the account's role on every
// read, revocable. The secret is in the query string because request logs record the path only.
import { randomBytes } from 'node:crypto';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sha256 } from '@oslojs/crypto/sha2';
import XMLBuilder from 'fast-xml-builder';
import { recordAudit } from '../audit/service.ts';
import { requireRole, type StaffLoader } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import type { Staff } from '../auth/guards.ts';
import { xmlSafe } from '../open-data/feeds.ts';
import { config } from '../server/config.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import { gapsInCoverage, loadCoverage, type CoverageGap } from './coverage.ts';
import { deleteFeedToken, findAccountByFeedTokenHash, findFeedTokenOfAccount, replaceFeedToken, touchFeedToken } from './coverage-repository.ts';
import { draftAlertHref } from './screens.ts';

export const GAPS_FEED_PATH = '/staff/coverage/gaps.atom';
/** How far back the feed looks. */
export const GAPS_FEED_HOURS = 24;
/** "Last used" is written at most this often, so a reader polling every minute costs no writes. */
const TOUCH_EVERY_MS = 15 * 60_000;

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

const feedUrl = (token: string) => `${config.siteUrl.replace(/\/+$/, '')}${GAPS_FEED_PATH}?token=${token}`;

export interface FeedAddressScreen {
  /** The account has a private address (its secret is never shown again after it is made). */
  hasAddress: boolean;
  createdAt: Date | null;
  lastUsedAt: Date | null;
  /** Only in the answer to "make an address": the address itself, shown once. */
  newAddress: string | null;
  /** The feed in a signed-in browser (no secret). */
  browserHref: string;
}

/** The feed address page of the signed-in editor. */
export async function loadFeedAddressScreen(staff: Staff): Promise<FeedAddressScreen> {
  const token = await findFeedTokenOfAccount(await getDb(), staff.account.id);
  return { hasAddress: Boolean(token), createdAt: token?.createdAt ?? null, lastUsedAt: token?.lastUsedAt ?? null, newAddress: null, browserHref: GAPS_FEED_PATH };
}

/**
 * Makes the editor a new private address (any older one stops working at once) and returns the
 * page showing it — the only time the secret is shown, as it is kept only as a hash.
 */
export async function makeFeedAddress(staff: Staff, now: Date): Promise<FeedAddressScreen> {
  const db = await getDb();
  const token = randomBytes(32).toString('base64url');
  const replacing = Boolean(await findFeedTokenOfAccount(db, staff.account.id));
  await replaceFeedToken(db, staff.account.id, hashToken(token), now);
  await recordAudit(db, 'staff-feed-address-created', staff.account.id, staff.account.name, { replacing });
  return { hasAddress: true, createdAt: now, lastUsedAt: null, newAddress: feedUrl(token), browserHref: GAPS_FEED_PATH };
}

/** Stops the editor's private address working. */
export async function stopFeedAddress(staff: Staff): Promise<{ redirect: string }> {
  const db = await getDb();
  if (await deleteFeedToken(db, staff.account.id)) await recordAudit(db, 'staff-feed-address-revoked', staff.account.id, staff.account.name);
  return { redirect: '/staff/coverage/feed?done=stopped' };
}

/** Who may read the feed: the owner of a valid secret who is still an editor, or a signed-in editor. */
async function feedReader(locals: { staff: StaffLoader }, token: string | null, now: Date): Promise<{ name: string } | null> {
  if (token === null) return { name: (await requireRole(locals, 'editor')).account.name };
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const db = await getDb();
  const owner = await findAccountByFeedTokenHash(db, hashToken(token));
  if (!owner || owner.disabledAt || !hasRole(owner.role, 'editor')) return null;
  if (!owner.lastUsedAt || now.getTime() - owner.lastUsedAt.getTime() > TOUCH_EVERY_MS) await touchFeedToken(db, owner.accountId, now);
  return { name: owner.name };
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

/** The Atom document of urgent gaps, newest first. */
export function buildGapsFeed(gaps: readonly CoverageGap[], meta: { councilName: string; siteUrl: string; now: Date; urgentServices: readonly string[] }): string {
  const site = meta.siteUrl.replace(/\/+$/, '');
  const services = meta.urgentServices.length > 0 ? meta.urgentServices.join(', ') : 'none yet (an administrator flags them on Neighbours)';
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      '@_xml:lang': 'en-GB',
      id: `${site}${GAPS_FEED_PATH}`,
      title: xmlSafe(`${meta.councilName}: urgent gaps in our coverage`),
      subtitle: xmlSafe(`What neighbouring councils published in the last ${GAPS_FEED_HOURS} hours about urgent services (${services}) that we have not covered. For staff only.`),
      updated: (gaps[0]?.at ?? meta.now).toISOString(),
      link: { '@_rel': 'alternate', '@_type': 'text/html', '@_href': `${site}/staff/coverage#gaps` },
      author: { name: xmlSafe(meta.councilName) },
      entry: gaps.map((gap) => {
        const page = `${site}/staff/coverage/items/${gap.item.id}`;
        const summary = gap.item.summary.trim();
        const about = gap.match.conflict
          ? `Our ${gap.match.conflict.place.title} says something different.`
          : 'We have published nothing that covers it.';
        return {
          id: `${site}/staff/coverage/items/${gap.item.id}`,
          title: xmlSafe(`${gap.item.title} (${gap.item.councilName})`),
          updated: gap.at.toISOString(),
          published: gap.at.toISOString(),
          link: [
            { '@_rel': 'alternate', '@_type': 'text/html', '@_href': page },
            ...(gap.item.link && /^https?:\/\//i.test(gap.item.link) ? [{ '@_rel': 'related', '@_type': 'text/html', '@_href': gap.item.link }] : []),
          ],
          author: { name: xmlSafe(gap.item.councilName) },
          category: gap.item.serviceSlug ? { '@_term': gap.item.serviceSlug } : undefined,
          content: {
            '@_type': 'text',
            '#text': xmlSafe([summary, about, `Draft an alert from this: ${site}${draftAlertHref(gap.item)}`].filter(Boolean).join('\n\n')),
          },
        };
      }),
    },
  });
}

/**
 * Answers a request for the feed: 403 for a secret that does not work (never a sign-in page, which
 * a feed reader cannot use); without a secret, the usual staff guard (sign in, editor role).
 */
export async function respondWithGapsFeed(locals: { staff: StaffLoader }, params: URLSearchParams, now: Date): Promise<Response> {
  const reader = await feedReader(locals, params.get('token'), now);
  if (!reader) {
    return new Response('This feed address does not work any more. Make a new one on the coverage screen (Follow urgent gaps in a feed reader).\n', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' },
    });
  }
  const db = await getDb();
  const [coverage, council] = await Promise.all([loadCoverage(db, { hours: GAPS_FEED_HOURS, now }), getCouncil(db)]);
  const gaps = gapsInCoverage(coverage).filter((g) => g.urgent);
  const body = buildGapsFeed(gaps, {
    councilName: council.name,
    siteUrl: config.siteUrl,
    now,
    urgentServices: coverage.rows.filter((r) => r.service.urgent).map((r) => r.service.name),
  });
  return new Response(body, {
    headers: {
      'Content-Type': 'application/atom+xml; charset=utf-8',
      'Cache-Control': 'private, no-store',
      'X-Robots-Tag': 'noindex',
      'Referrer-Policy': 'no-referrer',
    },
  });
}
