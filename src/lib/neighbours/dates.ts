// Dates as feeds really write them: RFC 822 with and without weekday, seconds or zone, named
// zones (GMT, BST, EST…), two-digit years, ISO 8601 with or without a zone, dates alone. A date
// with no zone is taken as London time: these are UK councils' feeds, and a council that
// leaves the zone out means its own clock.
import { parseLondonLocal } from '../time/london.ts';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Offsets in minutes of the named zones feeds use (BST is British Summer Time here). */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, bst: 60, cet: 60, cest: 120, ist: 60,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function zoneOffsetMinutes(zone: string): number | null {
  const lower = zone.toLowerCase();
  if (lower in ZONES) return ZONES[lower]!;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return minutes > 14 * 60 ? null : (numeric[1] === '-' ? -1 : 1) * minutes;
  }
  // Single military letters other than Z are ambiguous in practice (RFC 1123 notes they were
  // often sent with the wrong sign), so they count as "no zone".
  return null;
}

function build(year: number, month: number, day: number, hour: number, minute: number, second: number, zone: string | null): Date | null {
  if (year < 100) year += year < 50 ? 2000 : 1900;
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  if (hour === 24) {
    if (minute !== 0 || second !== 0) return null;
    hour = 23;
    minute = 59;
    second = 59;
  }
  const offset = zone ? zoneOffsetMinutes(zone) : null;
  if (offset === null) {
    return parseLondonLocal(`${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(Math.min(second, 59))}`);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return null;
  return new Date(utc);
}

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const RFC822 =
  /^(?:[A-Za-z]{2,9}\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?[\s,-]+(\d{2,4})(?:,?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm)?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/i;
const MONTH_FIRST =
  /^(?:[A-Za-z]{2,9}\.?,?\s*)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm)?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/i;

function to24(hour: number, meridiem: string | undefined): number {
  if (!meridiem) return hour;
  const pm = meridiem.toLowerCase() === 'pm';
  if (hour === 12) return pm ? 12 : 0;
  return pm ? hour + 12 : hour;
}

function monthNumber(name: string): number | null {
  return MONTHS[name.toLowerCase().slice(0, 3)] ?? null;
}

/** The instant a feed's date means, or null when it cannot be read. */
export function parseFeedDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  // Trailing comments such as "(GMT Standard Time)" and doubled spaces are common.
  const text = value.replace(/\([^)]*\)\s*$/, '').replace(/\s+/g, ' ').trim();
  if (text === '') return null;

  const iso = ISO.exec(text);
  if (iso) {
    return build(Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), iso[7] ?? null);
  }
  const rfc = RFC822.exec(text);
  if (rfc) {
    const month = monthNumber(rfc[2]!);
    if (month === null) return null;
    return build(Number(rfc[3]), month, Number(rfc[1]), to24(Number(rfc[4] ?? 0), rfc[7]), Number(rfc[5] ?? 0), Number(rfc[6] ?? 0), rfc[8] ?? null);
  }
  const us = MONTH_FIRST.exec(text);
  if (us) {
    const month = monthNumber(us[1]!);
    if (month === null) return null;
    return build(Number(us[3]), month, Number(us[2]), to24(Number(us[4] ?? 0), us[7]), Number(us[5] ?? 0), Number(us[6] ?? 0), us[8] ?? null);
  }
  return null;
}
