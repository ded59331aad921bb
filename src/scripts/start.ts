// `npm start`: migrate, load the demo into an empty database, build when the sources changed
// since the last build, then serve the built site (PORT, default 4321; HOST, default localhost).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { checkSettings, isProductionSite } from '../lib/server/settings-check.ts';
import { computeBuildStamp, BUILD_STAMP_FILE } from './build-stamp.ts';

// Unsafe or malformed settings stop everything before the database or the build is touched
// (warnings are left to serve.ts, which checks again and logs them).
const { errors } = checkSettings(process.env);
if (errors.length > 0) {
  for (const problem of errors) console.error(`Refusing to start: ${problem}`);
  process.exit(1);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The demo's neighbouring councils' feeds are served by this very site (on localhost), which
// the feed reader refuses by default. Not in production (an https: SITE_URL): there the
// default stays false, and an explicit true was refused above, so admins' feed addresses
// cannot reach the council's own network.
if (!isProductionSite(process.env)) process.env.NEIGHBOUR_FEEDS_ALLOW_PRIVATE ??= 'true';

run(process.execPath, ['--import', 'tsx', 'src/scripts/db.ts', 'prepare']);

const stamp = computeBuildStamp();
const built = existsSync('dist/server/entry.mjs') && existsSync(BUILD_STAMP_FILE) && readFileSync(BUILD_STAMP_FILE, 'utf8') === stamp;
if (built) {
  console.log('The build is up to date.');
} else {
  console.log('Building the site (the sources changed since the last build)…');
  run(process.execPath, ['--import', 'tsx', 'src/scripts/build.ts']);
}

process.env.PORT ??= '4321';
process.env.HOST ??= 'localhost';
console.log(`Serving on http://${process.env.HOST}:${process.env.PORT}`);
const server = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/serve.ts'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
