// drizzle-kit configuration: `npm run db:generate` diffs db/schema against db/migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'file:data/alerts.db',
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
});
