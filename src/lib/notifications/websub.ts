// WebSub (W3C Recommendation): with WEBSUB_HUB_URL set, every feed names the hub
// (../open-data/feeds.ts) and, after each publish, the hub is told which feeds changed — a POST
// of `hub.mode=publish` and a `hub.url` for each changed feed, the form most hubs take. The
// ping is a delivery like any other ('websub', key `websub:{event}`): retried with the same
// back-off, marked sent once the hub answers 2xx, so a hub that is down hears of it later.
import { sql } from 'drizzle-orm';
import type { ContentKind } from '../../../db/schema/index.ts';
import { placeFeedPath } from '../open-data/serialize.ts';
import type { Database } from '../server/database.ts';
import type { DeliveryContext, DeliveryOutcome } from './deliver.ts';
import type { EventRow } from './fan-out.ts';
import { SendError, type SendReceipt } from './transports.ts';

export interface WebSubSender {
  readonly hubUrl: string;
  /** Tells the hub these feeds (absolute URLs) have new entries. */
  send(feedUrls: readonly string[]): Promise<SendReceipt>;
}

const CHANGE_FORMATS = ['rss', 'atom', 'json'] as const;

/**
 * The feeds a publish event added entries to, as paths: the feed of all changes; each changed
 * place's service feeds and its own feeds; each changed alert's services' feeds and the alert
 * index. Every published revision counts (a page, an edit no subscriber is told of): each is a
 * new entry in the change feeds.
 */
export async function changedFeedPaths(db: Database, event: EventRow, serviceSlugsById: ReadonlyMap<number, string>): Promise<string[]> {
  if (event.kind !== 'publish' || event.fromSeq === null || event.toSeq === null) return [];
  const rows = await db.all<{ target_kind: ContentKind; target_id: number; service_id: number | null; service_slugs: string | null }>(sql`
    SELECT target_kind, target_id, json_extract(content, '$.serviceId') AS service_id, json_extract(content, '$.serviceSlugs') AS service_slugs
    FROM revisions WHERE publish_seq BETWEEN ${event.fromSeq} AND ${event.toSeq} ORDER BY publish_seq`);
  if (rows.length === 0) return [];
  const paths = new Set<string>(CHANGE_FORMATS.map((f) => `/feeds/changes.${f}`));
  const serviceFeeds = (slug: string | undefined) => {
    if (slug) for (const f of CHANGE_FORMATS) paths.add(`/feeds/${slug}.${f}`);
  };
  for (const row of rows) {
    if (row.target_kind === 'place') {
      serviceFeeds(serviceSlugsById.get(Number(row.service_id)));
      paths.add(placeFeedPath(Number(row.target_id), 'atom'));
      paths.add(placeFeedPath(Number(row.target_id), 'json'));
    } else if (row.target_kind === 'alert') {
      for (const slug of JSON.parse(row.service_slugs ?? '[]') as string[]) serviceFeeds(slug);
      paths.add('/feeds/alerts.atom');
    }
  }
  return [...paths];
}

/** The hub's sender: one form POST per ping; any 2xx is "accepted". */
export function createWebSubSender(hubUrl: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): WebSubSender {
  return {
    hubUrl,
    async send(feedUrls) {
      const body = new URLSearchParams({ 'hub.mode': 'publish' });
      for (const url of feedUrls) body.append('hub.url', url);
      let response: Response;
      try {
        response = await fetch(hubUrl, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'CouncilServiceAlerts-WebSub/1' },
          body,
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `could not connect to the hub${cause ? ` (${cause})` : ''}`;
        throw new SendError(why, false);
      }
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { response: `HTTP ${response.status}` };
      throw new SendError(`HTTP ${response.status}`, false, false, response.status);
    },
  };
}

/** Sends one hub ping: the feeds its event changed. */
export async function deliverToWebSubHub(ctx: DeliveryContext, event: EventRow | null): Promise<DeliveryOutcome> {
  const hub = ctx.senders.webSub;
  if (!hub) return { sent: false, why: 'no WebSub hub is set (WEBSUB_HUB_URL)' };
  if (!event) return { sent: false, why: 'event gone' };
  const paths = await changedFeedPaths(ctx.db, event, ctx.serviceSlugsById);
  if (paths.length === 0) return { sent: false, why: 'no feed changed' };
  const receipt = await hub.send(paths.map((path) => new URL(path, ctx.site.siteUrl).toString()));
  return { sent: true, response: receipt.response, recipient: hub.hubUrl };
}
