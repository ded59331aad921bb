// The national warnings read beside the neighbours' feeds — Met Office weather warnings and
// GOV.UK emergency alerts — as the coverage screen needs them: level, hazard, region, when
// issued and when valid, and whether in force now ("Amber warning for snow issued 05:10").
// The readers (parse-warnings.ts) key these items `met-office:…` and `gov-uk-alert:…` and
// store the region as the item's area, the end as its expiry, and the Met Office's own
// description as its summary, from which the rest is read back here.
import type { Database } from '../server/database.ts';
import type { WarningLevel } from './parse-items.ts';
import { GOV_UK_ALERT_KEY_PREFIX, MET_OFFICE_KEY_PREFIX, readMetOfficeWarning } from './parse-warnings.ts';
import { listItemsByKeyPrefix, type NeighbourItemListing } from './repository.ts';

export type OfficialWarningStatus = 'upcoming' | 'in-force' | 'ended';

export interface OfficialWarning {
  /** The neighbour item it is stored as. */
  itemId: number;
  /** The publisher as the neighbours screens list it ("Met Office") and the feed. */
  councilId: number;
  councilName: string;
  sourceTitle: string;
  issuer: 'met-office' | 'gov-uk-alerts';
  /** yellow, amber or red for the Met Office; null for emergency alerts, which have no colour. */
  level: WarningLevel | null;
  /** "snow", "ice", "thunderstorms and rain"; null for emergency alerts. */
  hazard: string | null;
  /** "Yorkshire & Humber" (Met Office), or the areas an emergency alert was sent to. */
  region: string | null;
  /** The local authorities a Met Office warning names (empty for emergency alerts). */
  areas: string[];
  /** When it was issued (or first read, when the feed gave no date). */
  issuedAt: Date;
  validFrom: Date | null;
  validTo: Date | null;
  status: OfficialWarningStatus;
  /** The publisher's headline ("Amber warning of snow affecting Yorkshire & Humber"). */
  title: string;
  /** Its text as stored: the Met Office's description, or the emergency alert's message and areas. */
  summary: string;
  link: string | null;
}

/** One stored item as a warning; null when it is not one of the national feeds' items. */
export function readOfficialWarning(row: NeighbourItemListing, now: Date): OfficialWarning | null {
  const issuedAt = row.publishedAt ?? row.firstSeenAt;
  const common = {
    itemId: row.id, councilId: row.councilId, councilName: row.councilName, sourceTitle: row.sourceTitle,
    issuedAt, title: row.title, summary: row.summary, link: row.link, region: row.area,
  };
  let warning: Pick<OfficialWarning, 'issuer' | 'level' | 'hazard' | 'areas' | 'validFrom' | 'validTo'>;
  if (row.itemKey.startsWith(MET_OFFICE_KEY_PREFIX)) {
    const read = readMetOfficeWarning(row.title, row.summary, issuedAt);
    if (!read) return null;
    warning = { issuer: 'met-office', level: read.level, hazard: read.hazard, areas: read.areas, validFrom: read.validFrom, validTo: row.expiresAt ?? read.validTo };
    common.region = row.area ?? read.region;
  } else if (row.itemKey.startsWith(GOV_UK_ALERT_KEY_PREFIX)) {
    warning = { issuer: 'gov-uk-alerts', level: null, hazard: null, areas: [], validFrom: issuedAt, validTo: row.expiresAt };
  } else {
    return null;
  }
  const status: OfficialWarningStatus =
    warning.validTo && warning.validTo.getTime() <= now.getTime() ? 'ended' : warning.validFrom && warning.validFrom.getTime() > now.getTime() ? 'upcoming' : 'in-force';
  return { ...common, ...warning, status };
}

/**
 * The Met Office warnings and GOV.UK emergency alerts read from the national feeds, newest
 * issued first: those issued in the last `hours` (default 24) and any still in force or to
 * come, whenever issued.
 */
export async function loadOfficialWarnings(db: Database, window: { now: Date; hours?: number }): Promise<OfficialWarning[]> {
  const since = new Date(window.now.getTime() - (window.hours ?? 24) * 3_600_000);
  // A week back is plenty for "still in force": the Met Office warns up to seven days ahead.
  const rows = await listItemsByKeyPrefix(db, [MET_OFFICE_KEY_PREFIX, GOV_UK_ALERT_KEY_PREFIX], { since: new Date(since.getTime() - 7 * 86_400_000) });
  return rows
    .map((row) => readOfficialWarning(row, window.now))
    .filter((w): w is OfficialWarning => w !== null && (w.issuedAt.getTime() >= since.getTime() || w.status !== 'ended'));
}
