// The database schema: every table of the product, in one place, for drizzle-kit to diff.
//
// Content (places, alerts, pages) is written only as revisions. The `places`, `alerts` and
// `pages` rows are the materialised *published* state — the latest approved revision — kept
// in the same write batch as the revision, so public reads never have to replay history.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core';

const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () =>
  timestamp('created_at')
    .notNull()
    .default(sql`(cast(unixepoch('subsecond') * 1000 as integer))`);

export const PLACE_STATUSES = [
  'open',
  'closed',
  'partially_open',
  'opening_late',
  'closing_early',
  'disrupted',
  'unknown',
] as const;
export type PlaceStatus = (typeof PLACE_STATUSES)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'severe'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const CONTENT_KINDS = ['place', 'alert', 'page'] as const;

/** Why a place's status is what it is (optional, typed so residents and feeds can use it). */
export const STATUS_REASONS = ['snow_and_ice', 'heating_failure', 'staff_shortage', 'flooding', 'other'] as const;

/** What made a change set: a bulk update, the undo of another set, an import, snow-day mode. */
export const CHANGE_SET_KINDS = ['bulk', 'undo', 'import', 'snow_day'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export const REVIEW_STATES = ['pending', 'approved', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const ROLES = ['reporter', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A kind of council service with its own status page. Managed by admins (/staff/settings/services);
 * each change is also kept in setting_revisions under the key `service:<id>`, for its history.
 */
export const services = sqliteTable('services', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  summary: text('summary').notNull(),
  sortOrder: integer('sort_order').notNull(),
  placeLabel: text('place_label').notNull(),
  placeLabelPlural: text('place_label_plural').notNull(),
  /**
   * A neighbour's item about this service that we have not covered is urgent (schools, roads):
   * editors are told at once (the dashboard, the staff feed of gaps), not only on the coverage screen.
   */
  coverageUrgent: integer('coverage_urgent', { mode: 'boolean' }).notNull().default(false),
  /** The public page shows "What neighbouring councils are saying" (admins switch it on). */
  showNeighbours: integer('show_neighbours', { mode: 'boolean' }).notNull().default(false),
  /**
   * The statuses its places can be given (staff forms offer only these), as a JSON array of
   * PLACE_STATUSES; null for all of them. "Unknown" is always allowed: it is what lapses to.
   */
  statuses: text('statuses', { mode: 'json' }).$type<PlaceStatus[]>(),
  /** Withdrawn by an admin: off the public site with its places, kept with its history. */
  retired: integer('retired', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

/** Published state of each place (materialised from its latest approved revision). */
export const places = sqliteTable(
  'places',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    slug: text('slug').notNull(),
    /** External identifier where one exists, e.g. a school's DfE URN. */
    identifier: text('identifier'),
    name: text('name').notNull(),
    category: text('category').notNull().default(''),
    address: text('address').notNull().default(''),
    postcode: text('postcode').notNull().default(''),
    ward: text('ward').notNull().default(''),
    latitude: real('latitude'),
    longitude: real('longitude'),
    /** The place's own phone number as people dial it ("01484 221000"), when known. */
    phone: text('phone'),
    /** The place's own website (http or https only), when known. */
    website: text('website'),
    status: text('status', { enum: PLACE_STATUSES }).notNull().default('unknown'),
    noteMarkdown: text('note_markdown').notNull().default(''),
    /** Sanitised HTML rendered from noteMarkdown when the revision was written. */
    noteHtml: text('note_html').notNull().default(''),
    statusFrom: timestamp('status_from'),
    statusUntil: timestamp('status_until'),
    /** Why (snow and ice, heating failure…), when given. */
    statusReason: text('status_reason', { enum: STATUS_REASONS }),
    /** When the place expects to reopen ("Expected to reopen: Wednesday"), when known. */
    expectedReopeningAt: timestamp('expected_reopening_at'),
    confirmedAt: timestamp('confirmed_at'),
    retired: integer('retired', { mode: 'boolean' }).notNull().default(false),
    currentRevisionId: integer('current_revision_id').references((): AnySQLiteColumn => revisions.id),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('places_service_slug').on(t.serviceId, t.slug),
    uniqueIndex('places_service_identifier').on(t.serviceId, t.identifier),
    index('places_service_ward').on(t.serviceId, t.ward),
  ],
);

/** Published state of each alert. */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    severity: text('severity', { enum: ALERT_SEVERITIES }).notNull(),
    headline: text('headline').notNull(),
    bodyMarkdown: text('body_markdown').notNull().default(''),
    bodyHtml: text('body_html').notNull().default(''),
    area: text('area').notNull().default(''),
    /** JSON array of service slugs this alert is about. */
    serviceSlugs: text('service_slugs', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    startsAt: timestamp('starts_at').notNull(),
    expiresAt: timestamp('expires_at'),
    retired: integer('retired', { mode: 'boolean' }).notNull().default(false),
    currentRevisionId: integer('current_revision_id').references((): AnySQLiteColumn => revisions.id),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [index('alerts_window').on(t.startsAt, t.expiresAt)],
);

/** Published state of each information page. */
export const pages = sqliteTable('pages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  bodyMarkdown: text('body_markdown').notNull().default(''),
  bodyHtml: text('body_html').notNull().default(''),
  retired: integer('retired', { mode: 'boolean' }).notNull().default(false),
  currentRevisionId: integer('current_revision_id').references((): AnySQLiteColumn => revisions.id),
  updatedAt: timestamp('updated_at').notNull(),
});

/**
 * The one revision mechanism: an immutable record of the full new content of a place, alert
 * or page. Rows are only ever inserted, and then only their review fields change once
 * (pending → approved | rejected).
 */
export const revisions = sqliteTable(
  'revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    targetKind: text('target_kind', { enum: CONTENT_KINDS }).notNull(),
    targetId: integer('target_id'),
    parentId: integer('parent_id').references((): AnySQLiteColumn => revisions.id),
    /** The full content of the target after this revision, as JSON (kind-specific shape). */
    content: text('content', { mode: 'json' }).notNull(),
    summary: text('summary').notNull().default(''),
    authorAccountId: integer('author_account_id').references(() => accounts.id),
    /** Public attribution: "Kirklees Council", "a resident", a school's name. */
    authorLabel: text('author_label').notNull(),
    suggestionId: integer('suggestion_id').references((): AnySQLiteColumn => suggestions.id),
    state: text('state', { enum: REVIEW_STATES }).notNull(),
    reviewedByAccountId: integer('reviewed_by_account_id').references(() => accounts.id),
    reviewedAt: timestamp('reviewed_at'),
    rejectionReason: text('rejection_reason'),
    /**
     * Position in the public change log, given when the revision is approved (1, 2, 3…).
     * Approval order, not creation order: a suggestion approved today follows today's edits.
     */
    publishSeq: integer('publish_seq'),
    /** The change set this revision was published in (a bulk update, an undo, an import), if any. */
    changeSetId: integer('change_set_id').references((): AnySQLiteColumn => changeSets.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('revisions_target').on(t.targetKind, t.targetId, t.id),
    index('revisions_change_set').on(t.changeSetId),
    index('revisions_state').on(t.state, t.id),
    uniqueIndex('revisions_publish_seq').on(t.publishSeq),
    // A suggestion is published at most once, however many editors approve it at the same moment.
    uniqueIndex('revisions_published_suggestion').on(t.suggestionId).where(sql`${t.publishSeq} IS NOT NULL`),
  ],
);

/**
 * Several revisions published together — a bulk update, an import, the undo of another set —
 * are one change set: one entry in "Recent changes", undone in one step, announced once.
 */
export const changeSets = sqliteTable(
  'change_sets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: CHANGE_SET_KINDS }).notNull(),
    /** What it did, in words: "Closed 40 schools". */
    summary: text('summary').notNull(),
    authorAccountId: integer('author_account_id').references(() => accounts.id),
    /** For an undo: the set it undid. */
    undoesChangeSetId: integer('undoes_change_set_id').references((): AnySQLiteColumn => changeSets.id),
    createdAt: createdAt(),
  },
  (t) => [index('change_sets_created').on(t.createdAt), uniqueIndex('change_sets_undoes').on(t.undoesChangeSetId)],
);

/** Staff accounts. Residents never need one. */
export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** TOTP secret (encrypted at rest in a later issue); null when two-factor is off. */
  totpKey: text('totp_key'),
  disabledAt: timestamp('disabled_at'),
  createdAt: createdAt(),
});

/** Places a reporter may publish to directly (e.g. a school office → its school). */
export const placeGrants = sqliteTable(
  'place_grants',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    placeId: integer('place_id')
      .notNull()
      .references(() => places.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.placeId] })],
);

/** Sessions, Lucia's design: the id is the SHA-256 of the secret token held by the browser. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    twoFactorVerified: integer('two_factor_verified', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('sessions_account').on(t.accountId)],
);

/** A resident's suggestion; its proposed content is a pending revision. */
export const suggestions = sqliteTable(
  'suggestions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** SHA-256 of the private tracking token; the token itself is only in the resident's link. */
    tokenHash: text('token_hash').notNull().unique(),
    targetKind: text('target_kind', { enum: CONTENT_KINDS }).notNull(),
    /** `change`: an update to something published; `new`: "something is missing". */
    kind: text('kind', { enum: ['change', 'new'] }).notNull().default('change'),
    /** Null for "something is missing" suggestions of a new place or information. */
    targetId: integer('target_id'),
    serviceId: integer('service_id').references(() => services.id),
    howKnown: text('how_known').notNull().default(''),
    contactEmail: text('contact_email'),
    /**
     * The tracking token, kept only beside a contact address, for the link in the outcome email;
     * the address and the token are both cleared once that email has gone.
     */
    contactToken: text('contact_token'),
    /** Keyed hash of the client address, for rate limiting; the address is never stored. */
    clientHash: text('client_hash').notNull(),
    outcome: text('outcome', { enum: ['waiting', 'approved', 'approved_with_changes', 'declined'] })
      .notNull()
      .default('waiting'),
    declineReason: text('decline_reason'),
    reviewedAt: timestamp('reviewed_at'),
    reviewedByAccountId: integer('reviewed_by_account_id').references(() => accounts.id),
    createdAt: createdAt(),
  },
  (t) => [index('suggestions_outcome').on(t.outcome, t.createdAt), index('suggestions_client').on(t.clientHash, t.createdAt)],
);

/** Security-relevant events for admins: sign-ins, failures, account and role changes. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    action: text('action').notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    subject: text('subject').notNull().default(''),
    detail: text('detail', { mode: 'json' }),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_created').on(t.createdAt)],
);

/**
 * One row (id = 1): a counter bumped in every publishing batch, so any server process can tell
 * cheaply whether published content changed (cache invalidation across processes).
 */
export const contentVersion = sqliteTable('content_version', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull().default(0),
  changedAt: timestamp('changed_at').notNull(),
});

/** Site-wide settings by key (e.g. `council`: the council's name and contact details), JSON. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/**
 * Events counted by rate limits (sign-in attempts, suggestions): a bucket, a key (an email or a
 * keyed hash of a client address — never the address itself) and when. Old rows are pruned.
 */
export const rateLimitEvents = sqliteTable(
  'rate_limit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    bucket: text('bucket').notNull(),
    key: text('key').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('rate_limit_events_lookup').on(t.bucket, t.key, t.createdAt)],
);

/**
 * Neighbouring councils whose public feeds we read, to see what they are saying that we are
 * not (the staff coverage screen). Managed by admins; not revisioned.
 */
export const neighbourCouncils = sqliteTable('neighbour_councils', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  websiteUrl: text('website_url').notNull().default(''),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
});

/** One feed of a neighbouring council, with what the poller last learned about it. */
export const neighbourSources = sqliteTable(
  'neighbour_sources',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    councilId: integer('council_id')
      .notNull()
      .references(() => neighbourCouncils.id),
    title: text('title').notNull(),
    url: text('url').notNull(),
    /**
     * Who publishes the feed: `council` (a neighbouring council), `met-office-warnings` (the
     * Met Office's weather warnings) or `gov-uk-alerts` (GOV.UK emergency alerts). The reader
     * is told, rather than guessing from the address (the demo serves every feed itself).
     */
    kind: text('kind', { enum: ['council', 'met-office-warnings', 'gov-uk-alerts'] }).notNull().default('council'),
    /** The region a regional feed covers ("Yorkshire & Humber"); null for a council's own feed. */
    region: text('region'),
    paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
    /** Validators from the last successful fetch, sent back so an unchanged feed costs a 304. */
    etag: text('etag'),
    lastModified: text('last_modified'),
    lastPolledAt: timestamp('last_polled_at'),
    lastSuccessAt: timestamp('last_success_at'),
    /** Why the last poll failed, in plain words for the admin screen; null after a success. */
    lastError: text('last_error'),
    /** What the reader repaired or left out on the last successful read, in plain words; null when nothing. */
    lastNote: text('last_note'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** When the source is next due; null means "as soon as possible". Pushed back after failures. */
    nextPollAt: timestamp('next_poll_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('neighbour_sources_council_url').on(t.councilId, t.url), index('neighbour_sources_due').on(t.paused, t.nextPollAt)],
);

/**
 * Items read from neighbours' feeds, one per council and item key (the feed's id or guid, else
 * its link, else a hash of title and date), so the same notice in two feeds counts once.
 */
export const neighbourItems = sqliteTable(
  'neighbour_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sourceId: integer('source_id')
      .notNull()
      .references(() => neighbourSources.id),
    councilId: integer('council_id')
      .notNull()
      .references(() => neighbourCouncils.id),
    itemKey: text('item_key').notNull(),
    title: text('title').notNull(),
    /** Plain text, at most 1,000 characters. */
    summary: text('summary').notNull().default(''),
    link: text('link'),
    publishedAt: timestamp('published_at'),
    /** CAP alerts only: when the neighbour says the alert ends, and the area it covers. */
    expiresAt: timestamp('expires_at'),
    area: text('area'),
    /** The service the item is about, by our keywords (service_keywords); null when none matched. */
    serviceSlug: text('service_slug'),
    firstSeenAt: timestamp('first_seen_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('neighbour_items_council_key').on(t.councilId, t.itemKey),
    index('neighbour_items_service').on(t.serviceSlug, t.publishedAt),
    index('neighbour_items_source').on(t.sourceId),
  ],
);

/** Phrases that say an item is about a service ("school closures", "gritting"), for classifying. */
export const serviceKeywords = sqliteTable(
  'service_keywords',
  {
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    phrase: text('phrase').notNull(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.phrase] })],
);

/**
 * An editor's decision that a neighbour's item needs nothing from us ("not about our area"),
 * remembered so it stays off the gaps list however often the feed is read again. Whether an item
 * is covered is not stored: it is worked out when read, from what we have published since.
 */
export const neighbourItemDismissals = sqliteTable('neighbour_item_dismissals', {
  itemId: integer('item_id')
    .primaryKey()
    .references(() => neighbourItems.id, { onDelete: 'cascade' }),
  /** Why, in the editor's words (one of the offered reasons, or their own). */
  reason: text('reason').notNull(),
  accountId: integer('account_id').references(() => accounts.id),
  dismissedAt: timestamp('dismissed_at').notNull(),
});

/**
 * A member of staff's private address for the feed of gaps (feed readers cannot sign in). Only
 * the SHA-256 of the secret in the address is kept; making a new one or revoking removes the row.
 */
export const staffFeedTokens = sqliteTable('staff_feed_tokens', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => accounts.id),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: timestamp('created_at').notNull(),
  lastUsedAt: timestamp('last_used_at'),
});

// ─── Telling people when it changes: subscriptions, the outbox, deliveries ─────────────────

export const SUBSCRIBER_CHANNELS = ['email', 'push'] as const;
export const SUBSCRIPTION_TARGETS = ['place', 'service', 'severe_alerts'] as const;
export const NOTIFICATION_EVENT_KINDS = ['baseline', 'publish', 'lapse', 'suggestion_outcome', 'suggestion_waiting', 'neighbour_uncovered'] as const;
export const DELIVERY_RECIPIENTS = ['subscriber', 'suggestion', 'webhook', 'account', 'websub'] as const;
export const DELIVERY_PURPOSES = ['confirm', 'event', 'digest', 'outcome', 'staff'] as const;
/** `skipped`: nothing to send by the time it was due (unsubscribed, already reviewed …). */
export const DELIVERY_STATES = ['queued', 'sent', 'skipped', 'failed'] as const;

/**
 * Someone who gets updates, without an account: an email address (double opt-in: nothing but
 * the confirmation is sent before `confirmed_at`) or one browser's push subscription. Deleted,
 * with everything it follows, when they unsubscribe.
 */
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channel: text('channel', { enum: SUBSCRIBER_CHANNELS }).notNull(),
    /** Lower-cased; only for the email channel. */
    email: text('email'),
    /** The browser's PushSubscription (endpoint and keys), only for the push channel. */
    pushEndpoint: text('push_endpoint'),
    pushKeys: text('push_keys', { mode: 'json' }).$type<{ p256dh: string; auth: string }>(),
    /** SHA-256 of the private token in the "manage my updates" link; the token is derived, never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    /** Random salt the token is derived from (with the database's secret). */
    tokenSalt: text('token_salt').notNull(),
    /** `immediate`: a message per change; `digest`: one morning summary at `digest_time`. */
    frequency: text('frequency', { enum: ['immediate', 'digest'] }).notNull().default('immediate'),
    /** London time "HH:MM" of the daily summary. */
    digestTime: text('digest_time').notNull().default('06:30'),
    confirmedAt: timestamp('confirmed_at'),
    /** The London day ("2026-12-02") of the last summary sent, so a day gets at most one. */
    lastDigestDay: text('last_digest_day'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('subscribers_email').on(t.email), uniqueIndex('subscribers_push_endpoint').on(t.pushEndpoint)],
);

/** One thing a subscriber follows: a place, a service (or one ward of it), or every severe alert. */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    targetKind: text('target_kind', { enum: SUBSCRIPTION_TARGETS }).notNull(),
    /** The place or service id; 0 for severe alerts. */
    targetId: integer('target_id').notNull().default(0),
    /** For a service: one ward of it, or '' for all of it. */
    ward: text('ward').notNull().default(''),
    /** Null until the link in the confirmation email is used (double opt-in, per thing followed). */
    confirmedAt: timestamp('confirmed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('subscriptions_unique').on(t.subscriberId, t.targetKind, t.targetId, t.ward),
    index('subscriptions_target').on(t.targetKind, t.targetId),
  ],
);

/**
 * The transactional outbox: a row written in the same atomic batch as what it announces (a
 * publish covers the change-log positions `from_seq`..`to_seq`; a reviewed suggestion its id).
 * The delivery worker turns each into deliveries and sets `fanned_out_at`, in one batch.
 */
export const notificationEvents = sqliteTable(
  'notification_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: NOTIFICATION_EVENT_KINDS }).notNull(),
    /** Unique when set: an event found by a job (a lapse, a long wait) is recorded once. */
    key: text('key').unique(),
    fromSeq: integer('from_seq'),
    toSeq: integer('to_seq'),
    placeId: integer('place_id'),
    revisionId: integer('revision_id'),
    suggestionId: integer('suggestion_id'),
    neighbourItemId: integer('neighbour_item_id'),
    /** When it happened (the publish, the lapse): the time in the message. */
    occurredAt: timestamp('occurred_at').notNull(),
    fannedOutAt: timestamp('fanned_out_at'),
  },
  (t) => [index('notification_events_pending').on(t.fannedOutAt, t.id), index('notification_events_to_seq').on(t.toSeq)],
);

/**
 * One message to one recipient, sent at most once: `key` is its idempotency key (also the
 * email's Message-ID). A worker leases a row (`lease_until`) before sending it and marks it
 * `sent` after; a lease that runs out (a crashed worker) makes it due again.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    purpose: text('purpose', { enum: DELIVERY_PURPOSES }).notNull(),
    recipientKind: text('recipient_kind', { enum: DELIVERY_RECIPIENTS }).notNull(),
    recipientId: integer('recipient_id').notNull(),
    eventId: integer('event_id').references(() => notificationEvents.id),
    /** For a summary: the events it covers, as JSON ids. */
    eventIds: text('event_ids', { mode: 'json' }).$type<number[]>(),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until'),
    lastError: text('last_error'),
    /** What the receiving end said (an SMTP reply, an HTTP status), for the logs. */
    lastResponse: text('last_response'),
    sentAt: timestamp('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [index('deliveries_due').on(t.state, t.nextAttemptAt), index('deliveries_recipient').on(t.recipientKind, t.recipientId, t.createdAt)],
);

/** Changes a morning-summary subscriber follows, waiting for their next summary. */
export const digestItems = sqliteTable(
  'digest_items',
  {
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    eventId: integer('event_id')
      .notNull()
      .references(() => notificationEvents.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.eventId] })],
);

/**
 * A partner's outgoing webhook (a radio station, a school website, the local paper): each change
 * in the services it wants is POSTed to `url` as JSON, signed with HMAC-SHA256 of `secret`.
 */
export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Who it is for, in the admins' words ("Radio Kirklees newsroom"). */
  name: text('name').notNull(),
  url: text('url').notNull(),
  /** The shared secret the partner verifies X-Signature with. */
  secret: text('secret').notNull(),
  /** Service slugs it wants; empty means every service and every alert. */
  serviceSlugs: text('service_slugs', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdByAccountId: integer('created_by_account_id').references(() => accounts.id),
  createdAt: createdAt(),
});

/** Every attempt to deliver to a webhook, for its delivery log in the staff pages. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id),
    attempt: integer('attempt').notNull(),
    /** The HTTP status the partner answered, or null when there was no answer. */
    httpStatus: integer('http_status'),
    /** Why it failed, in words ("timed out after 10 s", "HTTP 500"); null when it worked. */
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    attemptedAt: timestamp('attempted_at').notNull(),
  },
  (t) => [index('webhook_attempts_hook').on(t.webhookId, t.attemptedAt)],
);

/** What a member of staff has asked to be told about by email (every field off by default). */
export const staffNotificationPreferences = sqliteTable('staff_notification_preferences', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  /** Tell me when a suggestion has waited this many minutes; null: don't. */
  suggestionWaitingMinutes: integer('suggestion_waiting_minutes'),
  /** Tell me when a neighbouring council publishes in a service we have not covered. */
  neighbourUncovered: integer('neighbour_uncovered', { mode: 'boolean' }).notNull().default(false),
  updatedAt: timestamp('updated_at').notNull(),
});

/**
 * Every saved version of a site-wide setting (the council's name, phone, brand colour…): the
 * `settings` row is the current value, materialised in the same batch, as places are from their
 * revisions. Rows are only ever inserted, so the history says who changed what, and when.
 */
export const settingRevisions = sqliteTable(
  'setting_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    value: text('value', { mode: 'json' }).notNull(),
    /** What changed, in words: "Changed the council's name". */
    summary: text('summary').notNull(),
    authorAccountId: integer('author_account_id').references(() => accounts.id),
    createdAt: createdAt(),
  },
  (t) => [index('setting_revisions_key').on(t.key, t.id)],
);

/**
 * A places import waiting for an administrator's decision: the file's dry run, kept so the page
 * that shows it and the button that applies it see the same plan. The random id in the address
 * is the apply token: a run is applied at most once (`applied_at` is claimed in one statement),
 * so a reloaded or resubmitted page never applies it twice.
 */
export const importRuns = sqliteTable('import_runs', {
  id: text('id').primaryKey(),
  accountId: integer('account_id').references(() => accounts.id),
  serviceId: integer('service_id')
    .notNull()
    .references(() => services.id),
  /** `gias` (the Department for Education's establishment export) or `csv` (any places). */
  source: text('source', { enum: ['gias', 'csv'] }).notNull(),
  fileName: text('file_name').notNull(),
  /** The dry run: what applying would create, change and withdraw (src/lib/import/plan.ts). */
  plan: text('plan', { mode: 'json' }).notNull(),
  createdAt: createdAt(),
  appliedAt: timestamp('applied_at'),
  /** The change set applying made (null when nothing needed changing). */
  changeSetId: integer('change_set_id').references(() => changeSets.id),
});
