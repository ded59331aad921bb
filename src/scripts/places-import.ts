// `npm run places:import -- --service schools --gias FILE --la 382 [--apply]`, or
// `npm run places:import -- --service libraries --csv FILE [--apply]`: reads the file, prints the
// dry run (new, changed field by field, withdrawn, unchanged, rows left out), and with --apply
// publishes it as one change set that /staff/changes can undo in one step. Exit codes: 0 done,
// 1 the file or database could not be read, 2 wrong usage. Reads DATABASE_URL, DATABASE_AUTH_TOKEN.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { migrateDatabase } from '../../db/migrate.ts';
import { isLaCode } from '../lib/import/gias.ts';
import { describePlan, hasChanges, type ImportPlan } from '../lib/import/plan.ts';
import { applyImportPlan, importSummary, planImportFile } from '../lib/import/service.ts';
import { openDatabase, type DatabaseHandle } from '../lib/server/database.ts';
import { findServiceBySlug } from '../lib/services/repository.ts';
import { getCouncil } from '../lib/settings/repository.ts';

const USAGE = `Usage: npm run places:import -- --service SLUG (--gias FILE --la CODE | --csv FILE) [--apply]
  --service  the service the places belong to, e.g. schools
  --gias     a GIAS establishment export (windows-1252 CSV), with --la the local authority code
  --csv      any places as CSV (columns: name, identifier, slug, category, address, postcode, ward,
             latitude, longitude or easting, northing, phone, website)
  --apply    publish the changes as one change set (without it: a dry run, nothing is written)`;

function printPlan(plan: ImportPlan): void {
  console.log(`Dry run: ${describePlan(plan)}; ${plan.unchanged} unchanged.`);
  for (const c of plan.created) console.log(`  new        ${c.name}${c.ward ? ` (${c.ward})` : ''} — line ${c.line}`);
  for (const c of plan.changed) {
    console.log(`  changed    ${c.name} — line ${c.line}`);
    for (const f of c.changes) console.log(`               ${f.label}: ${f.before} → ${f.after}`);
  }
  for (const w of plan.withdrawn) console.log(`  withdrawn  ${w.name} (closed in the register) — line ${w.line}`);
  if (plan.notInFile.length > 0) console.log(`  ${plan.notInFile.length} of our places are not in the file: left alone (${plan.notInFile.slice(0, 5).map((p) => p.name).join(', ')}${plan.notInFile.length > 5 ? ', …' : ''})`);
  if (plan.otherAuthority > 0) console.log(`  ${plan.otherAuthority} ${plan.otherAuthority === 1 ? "row" : "rows"} of other local authorities: ignored`);
  if (plan.closedNotListed > 0) console.log(`  ${plan.closedNotListed} not open and not on our site: ignored`);
  for (const p of plan.problems) console.log(`  ${p.leftOut ? 'left out' : 'note'}   line ${p.line}: ${p.message}`);
}

async function main(): Promise<number> {
  let values: { service?: string; gias?: string; csv?: string; la?: string; apply?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { service: { type: 'string' }, gias: { type: 'string' }, csv: { type: 'string' }, la: { type: 'string' }, apply: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const path = values.gias ?? values.csv;
  if (!values.service || !path || (values.gias && values.csv) || (values.gias && !isLaCode(values.la ?? ''))) {
    console.error(values.gias && !isLaCode(values.la ?? '') ? `--la must be a three-digit local authority code, like 382\n${USAGE}` : USAGE);
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    console.error(`The file ${path} could not be read: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const url = process.env.DATABASE_URL || 'file:data/alerts.db';
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
    await migrateDatabase(handle.db);
  } catch (error) {
    console.error(`The database ${url} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const { db } = handle;
    const service = await findServiceBySlug(db, values.service);
    if (!service) {
      console.error(`There is no service "${values.service}"`);
      return 1;
    }
    console.log(`Reading ${path} for ${service.name}…`);
    const planned = await planImportFile(db, service, values.gias ? { source: 'gias', bytes, laCode: values.la! } : { source: 'csv', bytes });
    if (!planned.ok) {
      console.error(planned.message);
      return 1;
    }
    printPlan(planned.plan);
    if (!values.apply) {
      console.log(hasChanges(planned.plan) ? 'Nothing was written. Run again with --apply to publish these changes.' : 'Nothing to apply.');
      return 0;
    }
    if (!hasChanges(planned.plan)) {
      console.log('Nothing to apply.');
      return 0;
    }
    console.log('Applying as one change set…');
    const council = await getCouncil(db);
    const result = await applyImportPlan(db, planned.plan, { author: { accountId: null, label: council.name }, summary: importSummary(planned.plan, service.name), at: new Date() });
    console.log(`Published change set ${result.changeSetId}: ${result.created.length} created, ${result.published.length} revised.`);
    if (result.conflicts.length > 0) console.log(`${result.conflicts.length} places changed while this ran and were left alone.`);
    console.log(`Undo it in one step at /staff/changes/${result.changeSetId}.`);
    return 0;
  } finally {
    handle.client.close();
  }
}

process.exitCode = await main();
