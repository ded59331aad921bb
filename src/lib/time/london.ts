// Times for people: every time a resident sees is in Europe/London, in plain words.
const TIME_ZONE = 'Europe/London';

const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: 'numeric', minute: '2-digit', hour12: true });
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long' });
const dateKeyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "7:12am" */
export function formatTime(date: Date): string {
  return timeFormat.format(date).replace(/\s/g, '').toLowerCase();
}

/** "Saturday 21 November" */
export function formatDay(date: Date): string {
  return dayFormat.format(date);
}

/** The London calendar date, "2026-11-21". */
export function londonDateKey(date: Date): string {
  return dateKeyFormat.format(date);
}

/** "7:12am today", "4:30pm yesterday", "9:00am Monday 16 November". */
export function formatDateTime(date: Date, now: Date): string {
  const day = londonDateKey(date);
  if (day === londonDateKey(now)) return `${formatTime(date)} today`;
  if (day === londonDateKey(new Date(now.getTime() - 86_400_000))) return `${formatTime(date)} yesterday`;
  if (day === londonDateKey(new Date(now.getTime() + 86_400_000))) return `${formatTime(date)} tomorrow`;
  return `${formatTime(date)} ${formatDay(date)}`;
}

/** The offset of London from UTC at an instant, in minutes (0 in winter, 60 in summer). */
function londonOffsetMinutes(date: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - Math.floor(date.getTime() / 60_000) * 60_000) / 60_000);
}

/** 23:59 London time on the London day of `date`. */
export function endOfLondonDay(date: Date): Date {
  const [y, m, d] = londonDateKey(date).split('-').map(Number) as [number, number, number];
  const naiveUtc = Date.UTC(y, m - 1, d, 23, 59, 0);
  return new Date(naiveUtc - londonOffsetMinutes(new Date(naiveUtc)) * 60_000);
}
