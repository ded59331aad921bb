// Vitest configuration: four projects — unit (pure lib logic), integration (real libSQL files
// and the real built server over HTTP), e2e (real headless Chromium), and components (.astro
// components rendered by Astro's container API, which needs Astro's Vite set-up).
import { fileURLToPath } from 'node:url';
import { getViteConfig } from 'astro/config';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    root,
    // Builds the site once for the whole run (the integration and e2e projects both need it).
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      { test: { name: 'unit', root, include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          root,
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          root,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      getViteConfig({
        test: { name: 'components', root, include: ['test/components/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      }),
    ],
  },
});
