// The real built server (src/scripts/serve.ts), started like test/helpers/server.ts does, but
// keeping hold of the child process so a test can end it with SIGKILL — a crash, with no chance
// to finish requests, close the database or checkpoint its journal.
//
// A test that restarts the server many times runs for a while, and meanwhile another test run
// beside it may rebuild dist/ (a half-written dist/ fails to load, and a rebuilt one renames its
// chunks under a running server). So such a test takes a private copy of the build first
// (snapshotBuild) and runs every server from that copy.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, type TestServer } from './server.ts';

export interface KillableServer extends TestServer {
  pid: number;
  /** Sends SIGKILL and resolves once the process has gone. */
  kill: () => Promise<void>;
}

export interface BuildSnapshot {
  /** The working directory for the server: the copied dist/, and links to db/ and content/. */
  dir: string;
  remove: () => void;
}

/** The lock test/helpers/global-setup.ts holds while it builds dist/. */
const BUILD_LOCK = 'node_modules/.cache/council-service-alerts-build.lock';

/** Copies dist/ into a folder of its own, taking the build lock so no build is half-way through. */
export async function snapshotBuild(): Promise<BuildSnapshot> {
  mkdirSync('node_modules/.cache', { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for a build to finish (${BUILD_LOCK})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // Inside node_modules/.cache, so the server still finds the project's packages by walking up.
  const dir = mkdtempSync(resolve('node_modules/.cache/killable-server-'));
  try {
    cpSync('dist', join(dir, 'dist'), { recursive: true });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
  // Migrations and the demo content are read from the working directory.
  symlinkSync(resolve('db'), join(dir, 'db'));
  symlinkSync(resolve('content'), join(dir, 'content'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function ended(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/**
 * Starts the built server on a free loopback port — from `build` when given, else from dist/ —
 * and waits until /healthz answers 200.
 */
export async function startKillableServer(databaseUrl: string, env: Record<string, string> = {}, build?: BuildSnapshot): Promise<KillableServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/scripts/serve.ts')], {
    cwd: build?.dir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, SITE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The server exited early:\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not become healthy:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    get: (path, init) => fetch(`${url}${path}`, { redirect: 'manual', ...init }),
    output: () => log,
    kill: () => {
      const gone = ended(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return gone;
    },
    stop: () => {
      const gone = ended(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return gone;
    },
  };
}
