// `npm run db:backup -- FILE [--force]`: a consistent copy of the database, taken while the
// server runs and keeps writing (src/lib/operations/backup.ts). Prints the size, the time taken
// and the counts. Exit code 0 done, 1 refused or failed (nothing written), 2 wrong usage or a
// libSQL server / Turso database (which keeps its own backups: the message says what to do).
// Reads DATABASE_URL (default file:data/alerts.db) and DATABASE_AUTH_TOKEN.
import { backupDatabase } from '../lib/operations/backup.ts';
import { formatBytes, formatDuration } from '../lib/operations/sqlite-files.ts';
import { readFileArgument } from './file-argument.ts';

const USAGE = 'Usage: npm run db:backup -- FILE [--force]   (--force replaces FILE if it exists)';

async function main(): Promise<number> {
  const args = readFileArgument(USAGE, ['force']);
  if ('exitCode' in args) return args.exitCode;
  const databaseUrl = process.env.DATABASE_URL || 'file:data/alerts.db';
  const result = await backupDatabase({
    databaseUrl,
    authToken: process.env.DATABASE_AUTH_TOKEN,
    file: args.file,
    force: args.flags.force,
  });
  if (!result.ok) {
    for (const issue of result.issues) console.error(issue.message);
    return result.issues.some((issue) => issue.code === 'remote-database') ? 2 : 1;
  }
  const { counts, schema } = result;
  console.log(`${result.replaced ? 'Replaced' : 'Wrote'} the backup ${result.file}`);
  console.log(`  from:   ${result.databasePath}`);
  console.log(`  size:   ${formatBytes(result.bytes)} (${result.bytes} bytes)`);
  console.log(`  time:   ${formatDuration(result.copyMs)} copying, ${formatDuration(result.totalMs)} in all`);
  console.log(`  counts: ${counts.places} places, ${counts.revisions} revisions, ${counts.suggestions} suggestions`);
  console.log(`  schema: ${schema.applied} migrations (newest ${schema.databaseVersion ?? 'none'}); integrity check ok`);
  return 0;
}

process.exitCode = await main();
