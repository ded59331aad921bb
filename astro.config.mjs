// Astro configuration: a server-rendered site on the Node adapter (standalone HTTP server).
import { defineConfig, envField } from 'astro/config';
import node from '@astrojs/node';
import { computeBuildStamp } from './src/scripts/build-stamp.ts';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
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
    },
  },
});
