// Server configuration: the only module that reads astro:env (scripts read process.env).
import {
  DATABASE_AUTH_TOKEN,
  DATABASE_URL,
  SITE_URL,
  SUGGESTION_MIN_FILL_SECONDS,
  SUGGESTIONS_PER_ADDRESS_PER_HOUR,
  SUGGESTIONS_WAITING_CAP,
} from 'astro:env/server';

export const config = {
  databaseUrl: DATABASE_URL,
  databaseAuthToken: DATABASE_AUTH_TOKEN,
  siteUrl: SITE_URL,
  suggestions: {
    perAddressPerHour: SUGGESTIONS_PER_ADDRESS_PER_HOUR,
    waitingCap: SUGGESTIONS_WAITING_CAP,
    minFillSeconds: SUGGESTION_MIN_FILL_SECONDS,
  },
} as const;
