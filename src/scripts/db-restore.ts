// `npm run db:restore -- FILE`: replaces the database with a backup, after checking it
// (src/lib/operations/restore.ts). Stop the server first: the restore refuses while another
// process has the database open. The old database is kept beside it as
// <name>.before-restore-<UTC time>. Exit code 0 done, 1 refused or failed (nothing replaced),
// 2 wrong usage or a libSQL server / Turso database. Reads DATABASE_URL (default
// file:data/alerts.db).
import { restoreDatabase } from '../lib/operations/restore.ts';
import { formatBytes } from '../lib/operations/sqlite-files.ts';
import { readFileArgument } from './file-argument.ts';

const USAGE = 'Usage: npm run db:restore -- FILE   (stop the server first)';

async function main(): Promise<number> {
  const args = readFileArgument(USAGE);
  if ('exitCode' in args) return args.exitCode;
  const databaseUrl = process.env.DATABASE_URL || 'file:data/alerts.db';
  const result = await restoreDatabase({ databaseUrl, file: args.file });
  if (!result.ok) {
    for (const issue of result.issues) console.error(issue.message);
    return result.issues.some((issue) => issue.code === 'remote-database') ? 2 : 1;
  }
  const { counts, schema } = result;
  console.log(`Restored ${result.file}`);
  console.log(`  into:       ${result.databasePath} (${formatBytes(result.bytes)})`);
  console.log(`  old database kept as: ${result.keptAs ?? '(there was none)'}`);
  for (const path of result.keptCompanions) console.log(`  also kept:  ${path}`);
  for (const path of result.removed) console.log(`  removed stale ${path}`);
  console.log(
    `  schema:     ${result.migrationsRun > 0 ? `${result.migrationsRun} migration${result.migrationsRun > 1 ? 's' : ''} run to bring it up to date` : 'already up to date'}` +
      ` (${schema.applied} of ${schema.known})`,
  );
  console.log(`  counts:     ${counts.places} places, ${counts.revisions} revisions, ${counts.suggestions} suggestions`);
  for (const warning of result.warnings) console.warn(`  warning: ${warning}`);
  console.log('Start the server again (npm start).');
  return 0;
}

process.exitCode = await main();
