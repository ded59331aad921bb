// What a member of staff asks to be emailed about (/staff/notifications): a suggestion that has
// waited more than N minutes for review, and a neighbouring council publishing something in a
// service we have not covered. The delivery worker reads these (fan-out.ts); only editors and
// admins are told, as only they review suggestions and cover gaps.
import { eq } from 'drizzle-orm';
import { staffNotificationPreferences } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { hasRole } from '../auth/roles.ts';
import { getDb } from '../server/db.ts';
import { maskEmail } from './transports.ts';

export const WAITING_MINUTES_MIN = 5;
export const WAITING_MINUTES_MAX = 1440;
/** What the minutes box holds before anyone has chosen. */
const WAITING_MINUTES_SUGGESTED = 30;

/** The form as typed (kept verbatim when it has errors). */
export interface StaffNotificationFormValues {
  waiting: boolean;
  waitingMinutes: string;
  uncovered: boolean;
}

export interface StaffNotificationsScreen {
  /** Editors and admins may ask for these emails; reporters only read why not. */
  canChoose: boolean;
  /** The address they go to, masked ("e…@kirklees.gov.uk"). */
  maskedEmail: string;
  values: StaffNotificationFormValues;
  saved: boolean;
}

export type SaveOutcome = { ok: true; redirect: string } | { ok: false; status: 400; issues: FormIssue[]; values: StaffNotificationFormValues };

export async function loadStaffNotificationsScreen(staff: Staff, params: URLSearchParams): Promise<StaffNotificationsScreen> {
  const db = await getDb();
  const [row] = await db.select().from(staffNotificationPreferences).where(eq(staffNotificationPreferences.accountId, staff.account.id));
  return {
    canChoose: hasRole(staff.account.role, 'editor'),
    maskedEmail: maskEmail(staff.account.email),
    values: {
      waiting: row?.suggestionWaitingMinutes != null,
      waitingMinutes: String(row?.suggestionWaitingMinutes ?? WAITING_MINUTES_SUGGESTED),
      uncovered: row?.neighbourUncovered ?? false,
    },
    saved: params.get('done') === 'saved',
  };
}

export function readStaffNotificationForm(form: FormData): StaffNotificationFormValues {
  const minutes = form.get('waitingMinutes');
  return { waiting: form.get('waiting') === 'yes', waitingMinutes: typeof minutes === 'string' ? minutes : '', uncovered: form.get('uncovered') === 'yes' };
}

/** Saves the signed-in editor's choices. */
export async function saveStaffNotificationPreferences(staff: Staff, form: FormData, now: Date): Promise<SaveOutcome> {
  const values = readStaffNotificationForm(form);
  let minutes: number | null = null;
  if (values.waiting) {
    const typed = values.waitingMinutes.trim();
    const n = /^\d{1,5}$/.test(typed) ? Number(typed) : NaN;
    if (!Number.isInteger(n) || n < WAITING_MINUTES_MIN || n > WAITING_MINUTES_MAX) {
      const message = typed === '' ? 'Enter how many minutes a suggestion may wait' : `Enter a whole number of minutes from ${WAITING_MINUTES_MIN} to ${WAITING_MINUTES_MAX}`;
      return { ok: false, status: 400, issues: [{ field: 'waitingMinutes', message }], values };
    }
    minutes = n;
  }
  const db = await getDb();
  const choice = { suggestionWaitingMinutes: minutes, neighbourUncovered: values.uncovered, updatedAt: now };
  await db
    .insert(staffNotificationPreferences)
    .values({ accountId: staff.account.id, ...choice })
    .onConflictDoUpdate({ target: staffNotificationPreferences.accountId, set: choice });
  return { ok: true, redirect: '/staff/notifications?done=saved' };
}
