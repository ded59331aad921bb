// Server configuration: the only module that reads astro:env (scripts read process.env).
import { DATABASE_AUTH_TOKEN, DATABASE_URL, SITE_URL } from 'astro:env/server';

export const config = {
  databaseUrl: DATABASE_URL,
  databaseAuthToken: DATABASE_AUTH_TOKEN,
  siteUrl: SITE_URL,
} as const;
