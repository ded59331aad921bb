// `npm run db:migrate` and `npm run db:seed`: bring the schema up to date; load the demo council
// into an empty database. Reads DATABASE_URL / DATABASE_AUTH_TOKEN from the environment.
// `prepare` (both) is the first step of `npm start`; with DEMO=off it loads nothing and, on an
// empty database, prints the one-time address that sets the site up (src/lib/setup/service.ts).
// Problems a person can act on — a database from a newer release, invalid demo content, a
// database that cannot be opened — end with one plain sentence and exit code 1, never a stack
// trace; anything else is a bug and is thrown.
import { migrateDatabase, SchemaTooNewError } from '../../db/migrate.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { ContentError } from '../lib/content/demo.ts';
import { issueSetupCode, needsSetup } from '../lib/setup/code.ts';
import { openDatabase, type DatabaseHandle } from '../lib/server/database.ts';

const COMMANDS = ['migrate', 'seed', 'prepare'];

async function main(command: string | undefined): Promise<number> {
  if (!COMMANDS.includes(command ?? '')) {
    console.error('Usage: tsx src/scripts/db.ts migrate|seed|prepare');
    return 2;
  }
  const url = process.env.DATABASE_URL || 'file:data/alerts.db';
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
  } catch (error) {
    console.error(`The database ${url} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const { db, client } = handle;
  try {
    if (command === 'migrate' || command === 'prepare') {
      await migrateDatabase(db);
      console.log(`Database ${url}: schema up to date.`);
    }
    if (command === 'prepare' && process.env.DEMO === 'off') {
      if (await needsSetup(db)) {
        const code = await issueSetupCode(db, new Date());
        const site = process.env.SITE_URL || `http://${process.env.HOST || 'localhost'}:${process.env.PORT || '4321'}`;
        console.log(`DEMO=off: the site is empty. Set it up at ${site}/setup?code=${code}`);
        console.log('(This address works once, and only until the next start, which prints a new one.)');
      } else {
        console.log('DEMO=off: the demo council was not loaded.');
      }
      return 0;
    }
    if (command === 'seed' || command === 'prepare') {
      const result = await seedDemoCouncil(db);
      console.log(
        result.loaded
          ? `Loaded the demo council: ${result.services} services, ${result.places} places, ${result.alerts} alerts, ${result.pages} pages.`
          : 'The database already has content: the demo council was not loaded again.',
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof SchemaTooNewError) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof ContentError) {
      console.error(`The demo council could not be loaded: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    client.close();
  }
}

process.exitCode = await main(process.argv[2]);
