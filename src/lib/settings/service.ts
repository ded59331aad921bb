// Rules over the council settings that residents see: the confirm-by time in words, the hashtag
// share texts end with. Pure.
import type { Council } from './repository.ts';

/** "07:30" → "7:30am", "12:00" → "12:00pm", "00:15" → "12:15am". */
export function formatClockTime(time: string): string {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${hour12}:${String(minutes).padStart(2, '0')}${hours < 12 ? 'am' : 'pm'}`;
}

/** When places are asked to confirm by, in words ("7:30am"), or null when the council has not said. */
export function confirmByLabel(council: Pick<Council, 'confirmBy'>): string | null {
  return council.confirmBy ? formatClockTime(council.confirmBy) : null;
}
