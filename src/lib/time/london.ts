// Times for people: every time a resident sees is in Europe/London, in plain words.
const TIME_ZONE = 'Europe/London';

const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: 'numeric', minute: '2-digit', hour12: true });
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long' });
const dateKeyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

// Formatting with Intl is slow next to everything else on a page (a page of 1,000 places asks
// for thousands of dates). London is a whole number of hours from UTC and changes offset on the
// hour, so every instant in one UTC hour has the same London date and day, and in one UTC
// minute the same clock time: the answers are remembered by hour and by minute.
const MAX_REMEMBERED = 20_000;
const timeByMinute = new Map<number, string>();
const dateKeyByHour = new Map<number, string>();
const dayByHour = new Map<number, string>();

function remembered(memo: Map<number, string>, slot: number, make: () => string): string {
  let value = memo.get(slot);
  if (value === undefined) {
    if (memo.size >= MAX_REMEMBERED) memo.clear();
    value = make();
    memo.set(slot, value);
  }
  return value;
}

/** "7:12am" */
export function formatTime(date: Date): string {
  return remembered(timeByMinute, Math.floor(date.getTime() / 60_000), () => timeFormat.format(date).replace(/\s/g, '').toLowerCase());
}

/** "Saturday 21 November" */
export function formatDay(date: Date): string {
  return remembered(dayByHour, Math.floor(date.getTime() / 3_600_000), () => dayFormat.format(date));
}

/** The London calendar date, "2026-11-21". */
export function londonDateKey(date: Date): string {
  return remembered(dateKeyByHour, Math.floor(date.getTime() / 3_600_000), () => dateKeyFormat.format(date));
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

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;
const LOCAL_INPUT_UK = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2})$/;

/**
 * Reads what a person typed in an `<input type="datetime-local">` as London time and gives the
 * instant, or null when it is not a real date and time. Browsers without the date picker send
 * whatever was typed, so "21/11/2026 07:30" is read too. In the hour the clocks go forward the
 * time does not exist in London and reads as an hour later; in the repeated hour when they go
 * back, it reads as the second (GMT) one.
 */
export function parseLondonLocal(value: string): Date | null {
  const text = value.trim();
  const iso = LOCAL_INPUT.exec(text);
  const uk = iso ? null : LOCAL_INPUT_UK.exec(text);
  if (!iso && !uk) return null;
  const [year, month, day, hour, minute, second] = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6] ?? '0'].map(Number) as [number, number, number, number, number, number]
    : [uk![3], uk![2], uk![1], uk![4], uk![5], '0'].map(Number) as [number, number, number, number, number, number];
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(naive);
  // Date.UTC rolls 30 February over into March: a date that does not round-trip is not real.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const guess = naive - londonOffsetMinutes(new Date(naive)) * 60_000;
  return new Date(naive - londonOffsetMinutes(new Date(guess)) * 60_000);
}

const localInputFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

/** An instant as the value of an `<input type="datetime-local">` in London time: "2026-11-21T07:30". */
export function toLondonLocalInput(date: Date): string {
  const parts = localInputFormat.formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
