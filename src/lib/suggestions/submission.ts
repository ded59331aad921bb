// Residents suggesting updates, without an account: the read models of the suggestion form
// (/suggest) and of the private tracking page (/suggestions/{token}), and the use case behind
// the form, submitSuggestion. A suggestion is stored as a pending revision through
// recordSuggestion (./service.ts), so nothing a resident writes reaches a public page until
// the web team approves it.
//
// Abuse resistance is layered so that it never locks a real resident out: a honeypot field,
// a signed "form started at" stamp with a minimum fill time, a per-address hourly limit (keyed
// hash only), a global cap on the waiting queue, and length and link limits with clear messages.
import type { PlaceStatus } from '../../../db/schema/index.ts';
import { findPublishedAlert } from '../alerts/repository.ts';
import { hashClientAddress, isLimited, recordEvent, type RateLimit } from '../auth/rate-limit.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { findPublishedPlace, findPublishedPlaceById } from '../places/repository.ts';
import { PLACE_STATUSES, STATUS_PRESENTATION } from '../places/status.ts';
import { slugFromName } from '../places/validation.ts';
import { loadChrome, type SiteChrome } from '../public/site.ts';
import type { AlertContent, AlertDraft, AnyDraft, ContentByKind, PageContent, PageDraft, PlaceContent, PlaceDraft } from '../revisions/content.ts';
import { config } from '../server/config.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { getHashSecret } from '../settings/repository.ts';
import {
  countWaitingSuggestions,
  findPublishedPageById,
  findPublishedRevisionContent,
  findPublishedTargetId,
} from './repository.ts';
import { findProposal, findSuggestionByToken, recordSuggestion, type NewSuggestion, type SuggestionOutcome } from './service.ts';
import {
  ADDRESS_MAX,
  ALERT_TEXT_MAX,
  checkLinks,
  checkStartedStamp,
  CHECK_AND_RESEND,
  DETAILS_MAX,
  HEADLINE_MAX,
  HOW_KNOWN_MAX,
  issueStartedStamp,
  NAME_MAX,
  NOTE_MAX,
  PAGE_TEXT_MAX,
  parseMissingInformation,
  parseMissingPlace,
  parsePlaceReport,
  parseProvenance,
  parseTextProposal,
  readSuggestionValues,
  readTicked,
  REPORTABLE_STATUSES,
  tidyIssues,
  type FormIssue,
  type FormValues,
  type Parsed,
  type Provenance,
} from './validation.ts';

export { SUGGESTION_BODY_MAX_BYTES } from './validation.ts';

// ─── What a suggestion is about ──────────────────────────────────────────────────────────────

type ChangeKind = 'place' | 'alert' | 'page';
export type TargetRef = { kind: ChangeKind; id: number } | { kind: 'new' };
export type MissingKind = 'place' | 'information';

/** `place:12`, `alert:3`, `page:5` or `new`, as in /suggest?target=…; null for anything else. */
export function parseTarget(param: string | null | undefined): TargetRef | null {
  if (param === 'new') return { kind: 'new' };
  const match = /^(place|alert|page):([1-9]\d{0,11})$/.exec(param ?? '');
  if (!match) return null;
  return { kind: match[1] as ChangeKind, id: Number(match[2]) };
}

function parseMissing(value: string | null | undefined): MissingKind | null {
  return value === 'place' || value === 'information' ? value : null;
}

/** The published thing a change suggestion is about, with the content the form was based on. */
type ChangeTarget =
  | { kind: 'place'; id: number; name: string; path: string; service: ServiceRow; baseRevisionId: number; base: PlaceContent }
  | { kind: 'alert'; id: number; name: string; path: string; baseRevisionId: number; base: AlertContent }
  | { kind: 'page'; id: number; name: string; path: string; baseRevisionId: number; base: PageContent };

/** A change target before its base content is read. */
type ChangeTargetHead = ChangeTarget extends infer T ? (T extends unknown ? Omit<T, 'base'> : never) : never;

/** What the form page shows about the thing the suggestion is about. */
export type SuggestTarget =
  | { kind: 'place'; name: string; path: string; serviceName: string; placeLabel: string }
  | { kind: 'alert' | 'page'; name: string; path: string }
  | { kind: 'new'; missing: MissingKind };

/** The published place, alert or page, and its current revision; undefined when there is none. */
async function findChangeTarget(db: Database, ref: { kind: ChangeKind; id: number }, services: ServiceRow[]): Promise<ChangeTargetHead | undefined> {
  switch (ref.kind) {
    case 'place': {
      const place = await findPublishedPlaceById(db, ref.id);
      const service = place && services.find((s) => s.id === place.serviceId);
      if (!place || !service || place.currentRevisionId === null) return undefined;
      return { kind: 'place', id: place.id, name: place.name, path: `/services/${service.slug}/${place.slug}`, service, baseRevisionId: place.currentRevisionId };
    }
    case 'alert': {
      const alert = await findPublishedAlert(db, ref.id);
      if (!alert || alert.currentRevisionId === null) return undefined;
      return { kind: 'alert', id: alert.id, name: alert.headline, path: `/alerts/${alert.id}`, baseRevisionId: alert.currentRevisionId };
    }
    case 'page': {
      const page = await findPublishedPageById(db, ref.id);
      if (!page || page.currentRevisionId === null) return undefined;
      return { kind: 'page', id: page.id, name: page.title, path: `/pages/${page.slug}`, baseRevisionId: page.currentRevisionId };
    }
  }
}

/** The change target with the content of the revision the resident's form was based on. */
async function withBase(db: Database, target: ChangeTargetHead, baseRevisionId: number): Promise<ChangeTarget | undefined> {
  const base = await findPublishedRevisionContent(db, target.kind, target.id, baseRevisionId);
  return base ? ({ ...target, baseRevisionId, base } as ChangeTarget) : undefined;
}

function describeTarget(target: ChangeTarget | { kind: 'new'; missing: MissingKind }): SuggestTarget {
  if (target.kind === 'new') return target;
  if (target.kind === 'place') {
    return { kind: 'place', name: target.name, path: target.path, serviceName: target.service.name, placeLabel: target.service.placeLabel };
  }
  return { kind: target.kind, name: target.name, path: target.path };
}

// ─── The form's read model ───────────────────────────────────────────────────────────────────

export interface SuggestForm {
  /** The page title and main heading. */
  title: string;
  target: SuggestTarget;
  /** Where the form posts (this page, naming what it is about). */
  action: string;
  hidden: { name: string; value: string }[];
  values: FormValues;
  /** Ticked services (the "other information" form). */
  ticked: string[];
  issues: FormIssue[];
  /** A problem with the whole suggestion rather than one field: too many sent, too many waiting. */
  notice: { title: string; message: string } | null;
  services: { slug: string; name: string; placeLabel: string }[];
  statuses: { value: PlaceStatus; label: string }[];
  limits: { note: number; howKnown: number; text: number; headline: number; details: number; name: number; address: number };
}

export type SuggestPage =
  | { view: 'form'; chrome: SiteChrome; form: SuggestForm }
  /** "Something is missing", first step: a place, or other information? */
  | { view: 'choose'; chrome: SiteChrome; serviceSlug: string | null; issues: FormIssue[] }
  | { view: 'not-found'; chrome: SiteChrome }
  | { view: 'too-large'; chrome: SiteChrome };

export interface SuggestResponse {
  status: 200 | 400 | 404 | 413 | 429 | 503;
  page: SuggestPage;
  /** For 429 and 503: when it is worth trying again. */
  retryAfterSeconds?: number;
}

const LIMITS: SuggestForm['limits'] = {
  note: NOTE_MAX, howKnown: HOW_KNOWN_MAX, text: ALERT_TEXT_MAX, headline: HEADLINE_MAX, details: DETAILS_MAX, name: NAME_MAX, address: ADDRESS_MAX,
};

const statusChoices = (statuses: readonly PlaceStatus[]) =>
  statuses.map((value) => ({ value, label: value === 'unknown' ? 'I do not know' : STATUS_PRESENTATION[value].label }));

function titleOf(target: SuggestTarget): string {
  if (target.kind !== 'new') return 'Suggest an update';
  return target.missing === 'place' ? 'Tell us about a missing place' : 'Tell us what we should publish';
}

interface FormState {
  values: FormValues;
  ticked: string[];
  issues: FormIssue[];
  notice: SuggestForm['notice'];
}

function buildForm(target: ChangeTarget | { kind: 'new'; missing: MissingKind }, services: ServiceRow[], started: string, state: FormState): SuggestForm {
  const described = describeTarget(target);
  const isChange = target.kind !== 'new';
  const targetParam = isChange ? `${target.kind}:${target.id}` : 'new';
  const hidden = [
    { name: 'target', value: targetParam },
    ...(isChange ? [{ name: 'base', value: String(target.baseRevisionId) }] : [{ name: 'missing', value: target.missing }]),
    { name: 'started', value: started },
  ];
  return {
    title: titleOf(described),
    target: described,
    action: isChange ? `/suggest?target=${targetParam}` : `/suggest?target=new&missing=${target.missing}`,
    hidden,
    values: state.values,
    ticked: state.ticked,
    issues: state.issues,
    notice: state.notice,
    services: services.map((s) => ({ slug: s.slug, name: s.name, placeLabel: s.placeLabel })),
    statuses: statusChoices(target.kind === 'new' ? PLACE_STATUSES : REPORTABLE_STATUSES),
    limits: { ...LIMITS, text: target.kind === 'page' ? PAGE_TEXT_MAX : ALERT_TEXT_MAX },
  };
}

/**
 * The suggestion form for `target` (`place:<id>`, `alert:<id>`, `page:<id>` or `new`). For
 * `new`, the resident first chooses what is missing (`missing`); `service` preselects a list.
 * An unknown target is a 404 that points to the home page and the "something is missing" form.
 */
export async function loadSuggestForm(
  targetParam: string | null,
  serviceParam: string | null,
  choice: { missing: string | null; chose: boolean } = { missing: null, chose: false },
  now = new Date(),
): Promise<SuggestResponse> {
  const db = await getDb();
  const [chrome, services, secret] = await Promise.all([loadChrome(db, now), listServices(db), getHashSecret(db)]);
  const ref = parseTarget(targetParam);
  if (!ref) return { status: 404, page: { view: 'not-found', chrome } };
  const serviceSlug = services.some((s) => s.slug === serviceParam) ? serviceParam : null;
  const started = issueStartedStamp(secret, now);
  if (ref.kind === 'new') {
    const missing = parseMissing(choice.missing);
    if (!missing) {
      const issues = choice.chose || choice.missing !== null ? [{ field: 'missing', message: 'Select what is missing' }] : [];
      return { status: issues.length > 0 ? 400 : 200, page: { view: 'choose', chrome, serviceSlug, issues } };
    }
    const values: FormValues = missing === 'place' && serviceSlug ? { service: serviceSlug } : {};
    const ticked = missing === 'information' && serviceSlug ? [serviceSlug] : [];
    const form = buildForm({ kind: 'new', missing }, services, started, { values, ticked, issues: [], notice: null });
    return { status: 200, page: { view: 'form', chrome, form } };
  }
  const found = await findChangeTarget(db, ref, services);
  const target = found && (await withBase(db, found, found.baseRevisionId));
  if (!target) return { status: 404, page: { view: 'not-found', chrome } };
  // Text is corrected in place: the box starts with what is published now.
  const values: FormValues = target.kind === 'place' ? {} : { body: target.base.bodyMarkdown };
  const form = buildForm(target, services, started, { values, ticked: [], issues: [], notice: null });
  return { status: 200, page: { view: 'form', chrome, form } };
}

/** The answer to a suggestion too big to read: the resident's own browser still has their text. */
export async function loadTooLargePage(now = new Date()): Promise<SuggestResponse> {
  const db = await getDb();
  return { status: 413, page: { view: 'too-large', chrome: await loadChrome(db, now) } };
}

// ─── Sending a suggestion ────────────────────────────────────────────────────────────────────

const SUGGEST_PER_ADDRESS = (): RateLimit => ({ bucket: 'suggest:address', max: config.suggestions.perAddressPerHour, windowMs: 3_600_000 });

export type SubmitResult = { ok: true; redirect: string } | ({ ok: false } & SuggestResponse);

function readBase(values: FormValues): number {
  if (!/^[1-9]\d{0,11}$/.test(values.base ?? '')) throw new BadRequestError('The form did not say which version it was based on');
  return Number(values.base);
}

/** What the resident proposes, ready to record. */
type Proposal = { draft: AnyDraft; targetId: number | null; baseRevisionId: number | null; serviceId: number | null; kind: 'change' | 'new' };

async function buildProposal(
  db: Database,
  target: ChangeTarget | { kind: 'new'; missing: MissingKind },
  values: FormValues,
  ticked: string[],
  services: ServiceRow[],
  now: Date,
): Promise<Parsed<Proposal & Provenance>> {
  const provenance = parseProvenance(values);
  const issues: FormIssue[] = provenance.ok ? [] : [...provenance.issues];
  const texts: { field: string; text: string; alreadyThere?: string }[] = [];
  let proposal: Proposal | null = null;
  const slugs = services.map((s) => s.slug);
  switch (target.kind) {
    case 'place': {
      const parsed = parsePlaceReport(values);
      texts.push({ field: 'note', text: values.note ?? '' });
      if (!parsed.ok) issues.push(...parsed.issues);
      else {
        const { noteHtml: _html, ...base } = target.base;
        // A report is what someone saw now: the period of the status it replaces (e.g. "closed
        // until 6pm") does not carry over, or the new status could lapse the moment it is published.
        const draft: PlaceDraft = { ...base, ...parsed.value, statusFrom: null, statusUntil: null, confirmedAt: now.toISOString() };
        proposal = { draft: { kind: 'place', draft }, targetId: target.id, baseRevisionId: target.baseRevisionId, serviceId: target.service.id, kind: 'change' };
      }
      break;
    }
    case 'alert':
    case 'page': {
      const parsed = parseTextProposal(values, target.kind === 'page' ? PAGE_TEXT_MAX : ALERT_TEXT_MAX, target.base.bodyMarkdown);
      texts.push({ field: 'body', text: values.body ?? '', alreadyThere: target.base.bodyMarkdown });
      if (!parsed.ok) issues.push(...parsed.issues);
      else if (target.kind === 'alert') {
        const { bodyHtml: _html, ...base } = target.base;
        const draft: AlertDraft = { ...base, bodyMarkdown: parsed.value };
        proposal = { draft: { kind: 'alert', draft }, targetId: target.id, baseRevisionId: target.baseRevisionId, serviceId: null, kind: 'change' };
      } else {
        const { bodyHtml: _html, ...base } = target.base;
        const draft: PageDraft = { ...base, bodyMarkdown: parsed.value };
        proposal = { draft: { kind: 'page', draft }, targetId: target.id, baseRevisionId: target.baseRevisionId, serviceId: null, kind: 'change' };
      }
      break;
    }
    case 'new': {
      if (target.missing === 'place') {
        const parsed = parseMissingPlace(values, slugs);
        texts.push({ field: 'name', text: values.name ?? '' }, { field: 'address', text: values.address ?? '' }, { field: 'note', text: values.note ?? '' });
        if (!parsed.ok) {
          issues.push(...parsed.issues);
          break;
        }
        const place = parsed.value;
        const service = services.find((s) => s.slug === place.serviceSlug)!;
        const slug = slugFromName(place.name);
        const listed = slug ? await findPublishedPlace(db, service.id, slug) : undefined;
        if (!slug) issues.push({ field: 'name', message: 'Name must include at least one letter or number' });
        else if (listed) {
          issues.push({ field: 'name', message: `We already list ${listed.name}. To tell us about it, use ‘Suggest an update’ on its page` });
        } else {
          const draft: PlaceDraft = {
            serviceId: service.id, slug, identifier: null, name: place.name, category: '', address: place.address, postcode: place.postcode,
            ward: '', latitude: null, longitude: null, status: place.status, noteMarkdown: place.noteMarkdown, statusFrom: null, statusUntil: null,
            // Nobody saying anything about the status is not a confirmation.
            confirmedAt: place.status === 'unknown' ? null : now.toISOString(),
            retired: false,
          };
          proposal = { draft: { kind: 'place', draft }, targetId: null, baseRevisionId: null, serviceId: service.id, kind: 'new' };
        }
      } else {
        const parsed = parseMissingInformation(values, ticked, slugs);
        texts.push({ field: 'headline', text: values.headline ?? '' }, { field: 'details', text: values.details ?? '' });
        if (!parsed.ok) {
          issues.push(...parsed.issues);
          break;
        }
        const info = parsed.value;
        const draft: AlertDraft = {
          severity: 'info', headline: info.headline, bodyMarkdown: info.details, area: '', serviceSlugs: info.serviceSlugs,
          startsAt: now.toISOString(), expiresAt: null, retired: false,
        };
        const serviceId = services.find((s) => s.slug === info.serviceSlugs[0])?.id ?? null;
        proposal = { draft: { kind: 'alert', draft }, targetId: null, baseRevisionId: null, serviceId, kind: 'new' };
      }
      break;
    }
  }
  texts.push({ field: 'how-known', text: values['how-known'] ?? '' });
  const tooManyLinks = checkLinks(texts);
  if (tooManyLinks) issues.push(tooManyLinks);
  if (issues.length > 0 || !proposal || !provenance.ok) return { ok: false, issues: tidyIssues(issues) };
  return { ok: true, value: { ...proposal, ...provenance.value } };
}

/**
 * Sends a resident's suggestion: checks it is from a person using our form, within the limits,
 * and valid; then records it as a pending revision and sends the resident to its tracking page.
 * Anything refused stores nothing, and the form comes back with everything they typed.
 */
export async function submitSuggestion(form: FormData, clientAddress: string, now = new Date()): Promise<SubmitResult> {
  const db = await getDb();
  const values = readSuggestionValues(form);
  const ticked = readTicked(form, 'services');
  const [chrome, services, secret] = await Promise.all([loadChrome(db, now), listServices(db), getHashSecret(db)]);
  const ref = parseTarget(values.target);
  if (!ref) return { ok: false, status: 404, page: { view: 'not-found', chrome } };

  let target: ChangeTarget | { kind: 'new'; missing: MissingKind };
  if (ref.kind === 'new') {
    const missing = parseMissing(values.missing);
    if (!missing) return { ok: false, status: 400, page: { view: 'choose', chrome, serviceSlug: null, issues: [{ field: 'missing', message: 'Select what is missing' }] } };
    target = { kind: 'new', missing };
  } else {
    const found = await findChangeTarget(db, ref, services);
    if (!found) return { ok: false, status: 404, page: { view: 'not-found', chrome } };
    const based = await withBase(db, found, readBase(values));
    if (!based) throw new BadRequestError('The form was based on a version that was never published');
    target = based;
  }

  // What comes back to the resident: everything they typed, except the honeypot, and a new stamp.
  const kept: FormValues = { ...values, website: '' };
  const answer = (status: SuggestResponse['status'], state: Partial<FormState>, retryAfterSeconds?: number): SubmitResult => ({
    ok: false,
    status,
    retryAfterSeconds,
    page: {
      view: 'form',
      chrome,
      form: buildForm(target, services, issueStartedStamp(secret, now), { values: kept, ticked, issues: [], notice: null, ...state }),
    },
  });
  const firstField = { place: 'status', alert: 'body', page: 'body', new: target.kind === 'new' && target.missing === 'place' ? 'service' : 'headline' }[target.kind];
  const checkAndResend = [{ field: firstField, message: CHECK_AND_RESEND }];

  if ((values.website ?? '').trim() !== '') return answer(400, { issues: checkAndResend });
  if (checkStartedStamp(values.started ?? '', secret, now, config.suggestions.minFillSeconds) !== 'ok') return answer(400, { issues: checkAndResend });

  const limit = SUGGEST_PER_ADDRESS();
  const clientHash = hashClientAddress(clientAddress, secret);
  if (await isLimited(db, limit, clientHash, now)) {
    return answer(429, {
      notice: {
        title: 'You have sent a lot of suggestions',
        message: `You can send up to ${limit.max} suggestions an hour. Wait an hour, then send this one again. We have kept what you wrote below.`,
      },
    }, 3600);
  }
  if ((await countWaitingSuggestions(db)) >= config.suggestions.waitingCap) {
    const phone = chrome.council.contactPhone;
    return answer(503, {
      notice: {
        title: 'We cannot take your suggestion right now',
        message: `We have a lot of suggestions to check right now. Please try again later${phone ? `, or call ${phone}` : ''}. We have kept what you wrote below.`,
      },
    }, 600);
  }

  const proposal = await buildProposal(db, target, values, ticked, services, now);
  if (!proposal.ok) return answer(400, { issues: proposal.issues });
  const input: NewSuggestion = { ...proposal.value, clientHash };
  const { token } = await recordSuggestion(db, input, now);
  try {
    await recordEvent(db, limit, clientHash, now);
  } catch (error) {
    // The suggestion is safely stored; failing here would make the resident send it twice.
    console.error('Suggestions: could not count a suggestion towards the hourly limit', error);
  }
  return { ok: true, redirect: `/suggestions/${token}?sent` };
}

// ─── The tracking page ───────────────────────────────────────────────────────────────────────

export type TrackedProposal =
  | { kind: 'place'; name: string | null; address: string | null; statusLabel: string; tagClass: string; noteHtml: string }
  | { kind: 'text'; headline: string | null; html: string };

export interface TrackingPage {
  chrome: SiteChrome;
  /** The full web address of this page, to bookmark or copy. */
  address: string;
  sentAt: Date;
  /** What it is about, e.g. "An update to" + a link to the place. */
  about: { description: string; name: string | null; path: string | null };
  proposal: TrackedProposal;
  state: {
    outcome: SuggestionOutcome;
    label: string;
    tagClass: string;
    reason: string | null;
    reviewedAt: Date | null;
    /** Where what was published can be seen, once approved. */
    publishedPath: string | null;
  };
}

const OUTCOMES: Record<SuggestionOutcome, { label: string; tagClass: string }> = {
  waiting: { label: 'Waiting to be checked', tagClass: 'govuk-tag--blue' },
  approved: { label: 'Approved', tagClass: 'govuk-tag--green' },
  approved_with_changes: { label: 'Approved with changes', tagClass: 'govuk-tag--green' },
  declined: { label: 'Not used', tagClass: 'govuk-tag--grey' },
};

/** The public page of a place, alert or page, if it is published. */
async function publicPageOf(db: Database, kind: ChangeKind, id: number): Promise<{ name: string; path: string } | null> {
  switch (kind) {
    case 'place': {
      const place = await findPublishedPlaceById(db, id);
      const service = place && (await listServices(db)).find((s) => s.id === place.serviceId);
      return place && service ? { name: place.name, path: `/services/${service.slug}/${place.slug}` } : null;
    }
    case 'alert': {
      const alert = await findPublishedAlert(db, id);
      return alert ? { name: alert.headline, path: `/alerts/${alert.id}` } : null;
    }
    case 'page': {
      const page = await findPublishedPageById(db, id);
      return page ? { name: page.title, path: `/pages/${page.slug}` } : null;
    }
  }
}

/** The private tracking page of one suggestion, by the token in its address; 404 when unknown. */
export async function loadTracking(token: string, now = new Date()): Promise<TrackingPage> {
  const db = await getDb();
  const suggestion = await findSuggestionByToken(db, token);
  if (!suggestion) throw new NotFoundError('No such suggestion');
  const kind = suggestion.targetKind;
  const [chrome, proposal, publishedId, services] = await Promise.all([
    loadChrome(db, now),
    findProposal<typeof kind>(db, suggestion.id),
    findPublishedTargetId(db, suggestion.id),
    listServices(db),
  ]);
  if (!proposal) throw new NotFoundError('The suggestion has no proposal');
  const content = proposal.content as ContentByKind[ChangeKind];

  let about: TrackingPage['about'];
  if (suggestion.kind === 'change' && suggestion.targetId !== null) {
    const current = await publicPageOf(db, kind, suggestion.targetId);
    const fallbackName = kind === 'place' ? (content as PlaceContent).name : kind === 'alert' ? (content as AlertContent).headline : (content as PageContent).title;
    const description = { place: 'An update to', alert: 'An update to the alert', page: 'An update to the page' }[kind];
    about = { description, name: current?.name ?? fallbackName, path: current?.path ?? null };
  } else if (kind === 'place') {
    const service = services.find((s) => s.id === suggestion.serviceId);
    const list = service ? ` from the list of ${service.name.toLowerCase()}` : '';
    about = { description: `A missing ${(service?.placeLabel ?? 'place').toLowerCase()}${list}`, name: null, path: null };
  } else {
    about = { description: 'Information we should publish', name: null, path: null };
  }

  let shown: TrackedProposal;
  if (kind === 'place') {
    const place = content as PlaceContent;
    const isNew = suggestion.kind === 'new';
    shown = {
      kind: 'place',
      name: isNew ? place.name : null,
      address: isNew ? [place.address, place.postcode].filter(Boolean).join(', ') || null : null,
      statusLabel: place.status === 'unknown' && isNew ? 'Not known' : STATUS_PRESENTATION[place.status].label,
      tagClass: STATUS_PRESENTATION[place.status].tagClass,
      noteHtml: place.noteHtml,
    };
  } else {
    const text = content as AlertContent | PageContent;
    shown = { kind: 'text', headline: suggestion.kind === 'new' && 'headline' in text ? text.headline : null, html: text.bodyHtml };
  }

  const published = publishedId !== null && suggestion.outcome !== 'declined' ? await publicPageOf(db, kind, publishedId) : null;
  return {
    chrome,
    address: new URL(`/suggestions/${token}`, config.siteUrl).toString(),
    sentAt: suggestion.createdAt,
    about,
    proposal: shown,
    state: {
      outcome: suggestion.outcome,
      ...OUTCOMES[suggestion.outcome],
      reason: suggestion.outcome === 'declined' ? suggestion.declineReason : null,
      reviewedAt: suggestion.reviewedAt,
      publishedPath: published?.path ?? null,
    },
  };
}
