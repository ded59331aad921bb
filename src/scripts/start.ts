// `npm start`: migrate, load the demo into an empty database, build when the sources changed
// since the last build, then serve the built site (PORT, default 4321; HOST, default localhost).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { computeBuildStamp, BUILD_STAMP_FILE } from './build-stamp.ts';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The demo's neighbouring councils' feeds are served by this very site (on localhost), which
// the feed reader refuses by default. A production deployment must set
// NEIGHBOUR_FEEDS_ALLOW_PRIVATE=false, so admins' feed addresses cannot reach our own network.
process.env.NEIGHBOUR_FEEDS_ALLOW_PRIVATE ??= 'true';

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
