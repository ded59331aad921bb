// The home of the morning round's one tap: "Open today", "Closed today" or "Opening late" for
// one place, published as a normal revision through the one revision mechanism and checked
// against the revision the button was shown with, so a tap never overwrites a change someone
// else made meanwhile.
import { eq } from 'drizzle-orm';
import { places } from '../../../db/schema/index.ts';
import { requirePlacePermission, type Staff } from '../auth/guards.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { readBaseRevision } from '../http/forms.ts';
import type { PlaceRow } from '../places/repository.ts';
import type { PlaceDraft } from '../revisions/content.ts';
import { saveRevision, staffAuthor } from '../revisions/editing.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import { endOfLondonDay } from '../time/london.ts';
import { isTodayAnswer, loadTodayPage, TODAY_ANSWER_LABEL, type TodayAnswer, type TodayPage } from './round.ts';

export type ConfirmTodayResult =
  | { ok: true; redirect: string }
  | { ok: false; status: 409; page: TodayPage };

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * The published row with today's answer: status until the end of today (London), confirmed
 * now. Name, address, phone, website and the rest stay as they are. "Open today" clears the
 * closure's note, reason and expected reopening (they would contradict "open"); "Closed today"
 * and "Opening late" keep them (a closed school's note says why and what to do), dropping only
 * an expected reopening that has already passed.
 */
export function todayDraft(row: PlaceRow, answer: TodayAnswer, now: Date): PlaceDraft {
  const keepDetails = answer !== 'open';
  const reopening = row.expectedReopeningAt && row.expectedReopeningAt.getTime() > now.getTime() ? row.expectedReopeningAt : null;
  return {
    serviceId: row.serviceId, slug: row.slug, identifier: row.identifier, name: row.name, category: row.category,
    address: row.address, postcode: row.postcode, ward: row.ward, latitude: row.latitude, longitude: row.longitude,
    phone: row.phone, website: row.website, retired: row.retired,
    status: answer,
    noteMarkdown: keepDetails ? row.noteMarkdown : '',
    reason: keepDetails ? row.statusReason : null,
    expectedReopeningAt: keepDetails ? iso(reopening) : null,
    statusFrom: null,
    statusUntil: endOfLondonDay(now).toISOString(),
    confirmedAt: now.toISOString(),
  };
}

function readPlaceId(form: FormData): number {
  const value = form.get('place');
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value) || Number(value) <= 0) throw new BadRequestError('The form did not say which place it was for');
  return Number(value);
}

/**
 * One tap on the Today page. Reporters may answer only for the places granted to them (403
 * otherwise, nothing written). A stale base writes nothing and shows the page again with that
 * row saying someone changed it meanwhile, and what it says now.
 */
export async function confirmPlaceToday(staff: Staff, form: FormData, now: Date): Promise<ConfirmTodayResult> {
  const placeId = readPlaceId(form);
  const answer = form.get('answer');
  if (!isTodayAnswer(answer)) throw new BadRequestError('The form did not say which answer was chosen');
  const base = readBaseRevision(form);
  await requirePlacePermission(staff, placeId);
  const db = await getDb();
  const [row] = await db.select().from(places).where(eq(places.id, placeId));
  if (!row || row.retired) throw new NotFoundError(`No place ${placeId}`);
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const outcome = await saveRevision(db, 'place', placeId, base, todayDraft(row, answer, now), author, TODAY_ANSWER_LABEL[answer]);
  if (outcome.ok) return { ok: true, redirect: `/staff/today?confirmed=${placeId}&as=${answer}#place-${placeId}` };
  if (outcome.reason === 'not_found') throw new NotFoundError(`No place ${placeId}`);
  const conflict = { placeId, who: outcome.current.authorName ?? outcome.current.authorLabel, when: outcome.current.createdAt };
  return { ok: false, status: 409, page: await loadTodayPage(staff, new URLSearchParams(), now, conflict) };
}
