// `npm run db:migrate` and `npm run db:seed`: bring the schema up to date; load the demo council
// into an empty database. Reads DATABASE_URL / DATABASE_AUTH_TOKEN from the environment.
import { migrateDatabase } from '../../db/migrate.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { openDatabase } from '../lib/server/database.ts';

const command = process.argv[2];
const url = process.env.DATABASE_URL || 'file:data/alerts.db';
const { db, client } = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
try {
  if (command === 'migrate' || command === 'prepare') {
    await migrateDatabase(db);
    console.log(`Database ${url}: schema up to date.`);
  }
  if (command === 'seed' || command === 'prepare') {
    const result = await seedDemoCouncil(db);
    console.log(
      result.loaded
        ? `Loaded the demo council: ${result.services} services, ${result.places} places, ${result.alerts} alerts, ${result.pages} pages.`
        : 'The database already has content: the demo council was not loaded again.',
    );
  }
  if (!['migrate', 'seed', 'prepare'].includes(command ?? '')) {
    console.error('Usage: tsx src/scripts/db.ts migrate|seed|prepare');
    process.exitCode = 2;
  }
} finally {
  client.close();
}
