// The rel="alternate" links a public page carries to the feeds that mirror it.
import { placeFeedPath } from './serialize.ts';

export interface Alternate {
  type: string;
  href: string;
  title: string;
}

/** The site-wide feeds (on the home page). */
export function siteAlternates(): Alternate[] {
  return [
    { type: 'application/rss+xml', href: '/feeds/changes.rss', title: 'All updates (RSS)' },
    { type: 'application/atom+xml', href: '/feeds/changes.atom', title: 'All updates (Atom)' },
    { type: 'application/feed+json', href: '/feeds/changes.json', title: 'All updates (JSON Feed)' },
    { type: 'application/atom+xml', href: '/feeds/alerts.atom', title: 'Active alerts (CAP index)' },
  ];
}

/** One service's feeds (on its status page). */
export function serviceAlternates(service: { slug: string; name: string }): Alternate[] {
  return [
    { type: 'application/rss+xml', href: `/feeds/${service.slug}.rss`, title: `${service.name} updates (RSS)` },
    { type: 'application/atom+xml', href: `/feeds/${service.slug}.atom`, title: `${service.name} updates (Atom)` },
    { type: 'application/feed+json', href: `/feeds/${service.slug}.json`, title: `${service.name} updates (JSON Feed)` },
    { type: 'text/csv', href: `/feeds/${service.slug}.csv`, title: `${service.name}: every place and its status (CSV)` },
    { type: 'application/json', href: `/api/v1/services/${service.slug}`, title: `${service.name} (JSON API)` },
  ];
}

/** One place's feeds and JSON (on its page): a parent can follow one school. */
export function placeAlternates(place: { id: number; name: string }): Alternate[] {
  return [
    { type: 'application/atom+xml', href: placeFeedPath(place.id, 'atom'), title: `${place.name} updates (Atom)` },
    { type: 'application/feed+json', href: placeFeedPath(place.id, 'json'), title: `${place.name} updates (JSON Feed)` },
    { type: 'application/json', href: `/api/v1/places/${place.id}`, title: `${place.name} (JSON API)` },
  ];
}
