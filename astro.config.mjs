// Astro configuration: a server-rendered site on the Node adapter (standalone HTTP server).
import { defineConfig, envField } from 'astro/config';
import node from '@astrojs/node';
import { computeBuildStamp } from './src/scripts/build-stamp.ts';
import { LARGEST_BODY_LIMIT_BYTES } from './src/lib/http/body-limit.ts';

export default defineConfig({
  output: 'server',
  // The adapter's body limit is the second line of defence behind the front server's per-route
  // limits (src/lib/http/body-limit.ts): the largest of them, not its default of 1 GiB.
  // Streaming is off: every public page is buffered whole anyway (the middleware hashes it for
  // its ETag and the page cache keeps it), and one string is far cheaper to send than chunks.
  adapter: node({ mode: 'standalone', bodySizeLimit: LARGEST_BODY_LIMIT_BYTES, experimentalDisableStreaming: true }),
  publicDir: './src/public',
  // We do not use Astro's own sessions: staff sessions live in our database (Lucia's design).
  session: false,
  security: { checkOrigin: true },
  compressHTML: true,
  build: { inlineStylesheets: 'never' },
  vite: {
    // GOV.UK Frontend still ships an old IE media-query hack that lightningcss rejects.
    build: { cssMinify: 'esbuild' },
    // The build fingerprint, part of every ETag: a new build never answers 304 to an old page.
    define: { 'import.meta.env.BUILD_ID': JSON.stringify(computeBuildStamp()) },
  },
  env: {
    schema: {
      DATABASE_URL: envField.string({ context: 'server', access: 'secret', default: 'file:data/alerts.db' }),
      DATABASE_AUTH_TOKEN: envField.string({ context: 'server', access: 'secret', optional: true }),
      // "secret" so it is read at run time: Astro inlines public server variables at build time.
      SITE_URL: envField.string({ context: 'server', access: 'secret', default: 'http://localhost:4321' }),
      // Residents' suggestions: abuse limits (tests raise them for the load test).
      SUGGESTIONS_PER_ADDRESS_PER_HOUR: envField.number({ context: 'server', access: 'secret', default: 10 }),
      SUGGESTIONS_WAITING_CAP: envField.number({ context: 'server', access: 'secret', default: 1000 }),
      SUGGESTION_MIN_FILL_SECONDS: envField.number({ context: 'server', access: 'secret', default: 3 }),
      // Neighbouring councils' feeds: minutes between polls of each feed (0 = no polling), and
      // whether feeds may be on loopback/private addresses (the offline demo only, never production).
      NEIGHBOUR_POLL_MINUTES: envField.number({ context: 'server', access: 'secret', default: 10, int: true, min: 0 }),
      NEIGHBOUR_FEEDS_ALLOW_PRIVATE: envField.boolean({ context: 'server', access: 'secret', default: false }),
      // Encrypts staff two-factor keys at rest: 32 random bytes, base64 or hex. Required when
      // SITE_URL is https: (start-up refuses without it); development falls back to a key
      // derived from the database's own secret.
      TOTP_ENCRYPTION_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
      // Telling people when it changes (src/lib/notifications/settings.ts; the README lists them).
      // on/off as the README and notify-work.ts say (a boolean field would refuse "off" and stop
      // the server answering at all); true/false and 1/0 work too.
      NOTIFY_WORKER: envField.enum({ context: 'server', access: 'secret', values: ['on', 'off', 'true', 'false', '1', '0'], default: 'on' }),
      SMTP_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      MAIL_FROM: envField.string({ context: 'server', access: 'secret', optional: true }),
      NOTIFY_API_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
      NOTIFY_EMAIL_TEMPLATE_ID: envField.string({ context: 'server', access: 'secret', optional: true }),
      NOTIFY_BASE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      VAPID_PUBLIC_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
      VAPID_PRIVATE_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
      VAPID_SUBJECT: envField.string({ context: 'server', access: 'secret', optional: true }),
      NOTIFY_MAX_PER_SECOND: envField.number({ context: 'server', access: 'secret', default: 50, min: 0 }),
      NOTIFY_PER_ADDRESS_PER_HOUR: envField.number({ context: 'server', access: 'secret', default: 20, int: true, min: 1 }),
      NOTIFY_LEASE_SECONDS: envField.number({ context: 'server', access: 'secret', default: 60, min: 1 }),
      NOTIFY_POLL_MS: envField.number({ context: 'server', access: 'secret', default: 1000, int: true, min: 10 }),
      WEBSUB_HUB_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      SUBSCRIPTIONS_PER_ADDRESS_PER_HOUR: envField.number({ context: 'server', access: 'secret', default: 30, int: true, min: 1 }),
      // The first retry's wait in ms, doubled after each failure (tests set it small).
      NOTIFY_RETRY_BASE_MS: envField.number({ context: 'server', access: 'secret', default: 30000, int: true, min: 10 }),
    },
  },
});
