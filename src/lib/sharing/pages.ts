// The share tags of each public page from its read model, with the site's own address (SITE_URL,
// never the request's Host header: a shared link must not point wherever a request said).
import type { AlertPage, PlacePage, ServicePage } from '../public/site.ts';
import { config } from '../server/config.ts';
import { shareAlert, sharePlace, shareService, type Share } from './share.ts';

export function sharePlacePage(page: Pick<Extract<PlacePage, { kind: 'page' }>, 'chrome' | 'service' | 'place'>, now: Date): Share {
  return sharePlace(page.place, page.service, page.chrome.council, config.siteUrl, now);
}

export function shareAlertPage(page: Pick<AlertPage, 'chrome' | 'alert' | 'phase'>): Share {
  return shareAlert(page.alert, page.phase, page.chrome.council, config.siteUrl);
}

export function shareServicePage(page: Pick<ServicePage, 'chrome' | 'service' | 'summary'>): Share {
  return shareService(page.service, page.summary, page.chrome.council, config.siteUrl);
}
