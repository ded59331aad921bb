// `npm run user:create -- --email EMAIL --name NAME --role ROLE`: creates a staff account.
// The password comes from NEW_PASSWORD, or is asked for at a hidden prompt.
import { parseArgs } from 'node:util';
import { migrateDatabase } from '../../db/migrate.ts';
import { findAccountByEmail, insertAccount } from '../lib/accounts/repository.ts';
import { newAccountSchema } from '../lib/accounts/validation.ts';
import { openDatabase } from '../lib/server/database.ts';

async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('Set NEW_PASSWORD, or run this in a terminal to be asked for the password');
  process.stdout.write(question);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.setEncoding('utf8');
  let value = '';
  return new Promise((resolve, reject) => {
    const onData = (key: string) => {
      for (const ch of key) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') return reject(new Error('Cancelled'));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } });
  let password = process.env.NEW_PASSWORD;
  if (password === undefined) {
    password = await promptHidden('Password (12 characters or more): ');
    if ((await promptHidden('Password again: ')) !== password) {
      console.error('The passwords do not match.');
      return 1;
    }
  }
  const parsed = newAccountSchema.safeParse({ email: values.email ?? '', name: values.name ?? '', role: values.role ?? '', password });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${String(issue.path[0])}: ${issue.message}`);
    console.error('Usage: npm run user:create -- --email EMAIL --name NAME --role reporter|editor|admin');
    return 2;
  }
  const url = process.env.DATABASE_URL || 'file:data/alerts.db';
  const { db, client } = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
  try {
    await migrateDatabase(db);
    if (await findAccountByEmail(db, parsed.data.email)) {
      console.error(`There is already an account for ${parsed.data.email}.`);
      return 1;
    }
    const id = await insertAccount(db, parsed.data, null);
    console.log(`Created ${parsed.data.role} account ${id} for ${parsed.data.name} <${parsed.data.email}>.`);
    return 0;
  } finally {
    client.close();
  }
}

process.exitCode = await main();
