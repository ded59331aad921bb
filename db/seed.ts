// Loads the demo council from content/ into an empty database, as approved revisions, in one
// atomic batch, with its neighbouring councils' feeds, the national warning feeds (Met Office,
// GOV.UK Emergency Alerts) and the keywords that classify their
// items. A database that already has services is left exactly as it is.
import { count, eq, isNull, sql } from 'drizzle-orm';
import { neighbourCouncils, neighbourSources, notificationEvents, serviceKeywords, services, settingRevisions, settings } from '../db/schema/index.ts';
import { loadDemoContent, resolveDayStart, resolveOffset, type DemoContent } from '../src/lib/content/demo.ts';
import { demoFeedUrl, loadDemoSources, type DemoSource } from '../src/lib/neighbours/demo-content.ts';
import { completeDraft } from '../src/lib/revisions/content.ts';
import { createContentStatements, type PublishOptions } from '../src/lib/revisions/service.ts';
import type { Database } from '../src/lib/server/database.ts';

export interface SeedResult {
  loaded: boolean;
  services: number;
  places: number;
  alerts: number;
  pages: number;
  /** Publishers (neighbouring councils and national warning issuers) and their feeds. */
  neighbours: number;
  neighbourFeeds: number;
}

export interface SeedOptions {
  contentDir?: string;
  now?: Date;
  /**
   * The site's public address: the demo neighbours' feeds are served by the site itself, at
   * `${siteUrl}/demo/neighbour-feeds/<file>`. Defaults to SITE_URL, else http://localhost:4321.
   */
  siteUrl?: string;
}

/** Loads the demo into an empty database; returns what it loaded (or `loaded: false`). */
export async function seedDemoCouncil(db: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const content = await loadDemoContent(options.contentDir);
  // Neighbouring councils and the national warning issuers (Met Office, GOV.UK Emergency
  // Alerts): each a publisher with feeds, told apart by each feed's `kind`.
  const neighbours = await loadDemoSources(options.contentDir);
  const siteUrl = options.siteUrl ?? (process.env.SITE_URL || 'http://localhost:4321');
  const now = options.now ?? new Date();
  // The council setting is written last, in the same batch as the content: its presence means
  // "already loaded". Services go in a first, idempotent batch so their ids are known.
  const [existing] = await db.select({ n: count() }).from(settings).where(eq(settings.key, 'council'));
  if ((existing?.n ?? 0) > 0) return { loaded: false, services: 0, places: 0, alerts: 0, pages: 0, neighbours: 0, neighbourFeeds: 0 };
  const serviceInserts = content.services.map((service) =>
    db.insert(services).values({
      slug: service.slug, name: service.name, summary: service.summary, sortOrder: service.order,
      placeLabel: service.placeLabel, placeLabelPlural: service.placeLabelPlural, createdAt: now,
      coverageUrgent: service.coverageUrgent, showNeighbours: service.showNeighbours,
    }).onConflictDoNothing({ target: services.slug }),
  );
  const [firstService, ...otherServices] = serviceInserts;
  if (firstService) await db.batch([firstService, ...otherServices]);
  const serviceIds = new Map((await db.select({ id: services.id, slug: services.slug }).from(services)).map((s) => [s.slug, s.id]));
  return loadInto(db, content, neighbours, serviceIds, now, siteUrl);
}

async function loadInto(
  db: Database,
  content: DemoContent,
  neighbours: DemoSource[],
  serviceIds: Map<string, number>,
  now: Date,
  siteUrl: string,
): Promise<SeedResult> {
  const council: PublishOptions['author'] = { accountId: null, label: content.council.name };
  const statements: Parameters<Database['batch']>[0][number][] = [];
  let placeCount = 0;
  for (const service of content.services) {
    for (const place of service.places) {
      const state = content.scenario.places.find((p) => p.service === service.slug && p.place === place.slug);
      const confirmedAt = state ? resolveOffset(state.confirmed, now) : null;
      const draft = {
        serviceId: serviceIds.get(service.slug)!,
        slug: place.slug, identifier: place.identifier, name: place.name, category: place.category,
        address: place.address, postcode: place.postcode, ward: place.ward,
        latitude: place.latitude, longitude: place.longitude, phone: place.phone, website: place.website,
        status: state?.status ?? ('unknown' as const),
        noteMarkdown: state?.note ?? '',
        statusFrom: null,
        statusUntil: state?.until ? resolveOffset(state.until, now).toISOString() : null,
        reason: state?.reason ?? null,
        expectedReopeningAt: state?.reopens ? resolveDayStart(state.reopens, now).toISOString() : null,
        confirmedAt: confirmedAt?.toISOString() ?? null,
        retired: false,
      };
      statements.push(
        ...createContentStatements(db, completeDraft({ kind: 'place', draft }), {
          author: council,
          summary: state ? 'Snow morning status' : 'Added to the demo council',
          at: confirmedAt && confirmedAt < now ? confirmedAt : now,
        }),
      );
      placeCount++;
    }
  }
  for (const alert of content.scenario.alerts) {
    const startsAt = resolveOffset(alert.starts, now);
    const draft = {
      severity: alert.severity, headline: alert.headline, bodyMarkdown: alert.body.trim(), area: alert.area,
      serviceSlugs: alert.services, startsAt: startsAt.toISOString(),
      expiresAt: alert.expires ? resolveOffset(alert.expires, now).toISOString() : null, retired: false,
    };
    statements.push(
      ...createContentStatements(db, completeDraft({ kind: 'alert', draft }), {
        author: council, summary: 'Published', at: startsAt < now ? startsAt : now,
      }),
    );
  }
  for (const page of content.pages) {
    statements.push(
      ...createContentStatements(db, completeDraft({ kind: 'page', draft: { ...page, retired: false } }), {
        author: council, summary: 'First published', at: now,
      }),
    );
  }
  for (const service of content.services) {
    if (service.keywords.length === 0) continue;
    statements.push(
      db.insert(serviceKeywords)
        .values(service.keywords.map((phrase) => ({ serviceId: serviceIds.get(service.slug)!, phrase })))
        .onConflictDoNothing(),
    );
  }
  let neighbourFeeds = 0;
  neighbours.forEach((council, index) => {
    statements.push(
      db.insert(neighbourCouncils)
        .values({ slug: council.slug, name: council.name, websiteUrl: council.website, sortOrder: index + 1, createdAt: now })
        .onConflictDoNothing(),
    );
    for (const feed of council.feeds) {
      statements.push(
        db.insert(neighbourSources)
          .values({
            councilId: sql`(SELECT id FROM neighbour_councils WHERE slug = ${council.slug})`,
            title: feed.title,
            url: demoFeedUrl(siteUrl, feed.file),
            kind: council.kind,
            region: feed.region ?? null,
            createdAt: now,
          })
          .onConflictDoNothing(),
      );
      neighbourFeeds++;
    }
  });
  statements.push(db.insert(settingRevisions).values({ key: 'council', value: content.council, summary: 'Loaded the demo council', authorAccountId: null, createdAt: now }));
  statements.push(db.insert(settings).values({ key: 'council', value: content.council, updatedAt: now }));
  // The demo's own alerts are not news to anyone: its outbox records are done at once.
  statements.push(db.update(notificationEvents).set({ fannedOutAt: now }).where(isNull(notificationEvents.fannedOutAt)));
  const [first, ...rest] = statements;
  await db.batch([first!, ...rest]);
  return {
    loaded: true,
    services: content.services.length,
    places: placeCount,
    alerts: content.scenario.alerts.length,
    pages: content.pages.length,
    neighbours: neighbours.length,
    neighbourFeeds,
  };
}
