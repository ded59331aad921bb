// Server configuration: the only module that reads astro:env (scripts read process.env).
import * as env from 'astro:env/server';
import {
  DATABASE_AUTH_TOKEN,
  DATABASE_URL,
  NEIGHBOUR_FEEDS_ALLOW_PRIVATE,
  NEIGHBOUR_POLL_MINUTES,
  SITE_URL,
  SUGGESTION_MIN_FILL_SECONDS,
  SUGGESTIONS_PER_ADDRESS_PER_HOUR,
  SUGGESTIONS_WAITING_CAP,
  TOTP_ENCRYPTION_KEY,
} from 'astro:env/server';
import { readNotificationSettings } from '../notifications/settings.ts';

export const config = {
  databaseUrl: DATABASE_URL,
  databaseAuthToken: DATABASE_AUTH_TOKEN,
  siteUrl: SITE_URL,
  /** 32 bytes, base64 or hex, that encrypt staff two-factor keys at rest (src/lib/auth/totp-keys.ts). */
  totpEncryptionKey: TOTP_ENCRYPTION_KEY,
  neighbours: {
    /** Minutes between polls of each neighbour feed; 0 turns polling off. */
    intervalMinutes: NEIGHBOUR_POLL_MINUTES,
    /** Feeds on loopback/private addresses: the offline demo and tests only. */
    allowPrivateAddresses: NEIGHBOUR_FEEDS_ALLOW_PRIVATE,
  },
  /** Email, web push, webhooks and the delivery worker (src/lib/notifications/settings.ts). */
  notifications: readNotificationSettings(env as unknown as Record<string, string | number | boolean | undefined>),
  suggestions: {
    perAddressPerHour: SUGGESTIONS_PER_ADDRESS_PER_HOUR,
    waitingCap: SUGGESTIONS_WAITING_CAP,
    minFillSeconds: SUGGESTION_MIN_FILL_SECONDS,
  },
} as const;
