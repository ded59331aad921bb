// `npm run db:restore -- FILE`: replaces the database with a backup, after checking it
// (src/lib/operations/restore.ts). Stop the server first: the restore refuses while another
// process has the database open. The old database is kept beside it as
// <name>.before-restore-<UTC time>. Exit code 0 done, 1 refused or failed (nothing replaced),
// 2 wrong usage or a libSQL server / Turso database. Reads DATABASE_URL (default
// file:data/alerts.db).
import { parseArgs } from 'node:util';
import { restoreDatabase } from '../lib/operations/restore.ts';
import { formatBytes } from '../lib/operations/sqlite-files.ts';

const USAGE = 'Usage: npm run db:restore -- FILE   (stop the server first)';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL || 'file:data/alerts.db';
  const result = await restoreDatabase({ databaseUrl, file: parsed.positionals[0]! });
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
