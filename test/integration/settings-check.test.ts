// Unsafe settings stop the server at start-up: exit 1 within seconds, naming the variable,
// before the database or a port is opened.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const KEY = 'q8sSRm1Hk7fq3YQf0wU6qg1tC2pXQkz3xY7w2c9e1bA=';

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // A database URL that would fail if it were ever opened: the check must come first.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, DATABASE_URL: 'file:/nonexistent/never/opened.db', PORT: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit:\n${output}`));
    }, 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('start-up settings check', () => {
  it('refuses NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true on an https: site (serve.ts)', async () => {
    const result = await run('src/scripts/serve.ts', {
      SITE_URL: 'https://alerts.example.gov.uk',
      NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true',
      TOTP_ENCRYPTION_KEY: KEY,
      PORT: '4321',
    });
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(5000);
    const lines = result.output.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'refusing to start', variable: 'NEIGHBOUR_FEEDS_ALLOW_PRIVATE' });
    expect(lines[0].problem).toContain('NEIGHBOUR_FEEDS_ALLOW_PRIVATE');
  });

  it('refuses an https: site without TOTP_ENCRYPTION_KEY, and a port that is not one, one line each', async () => {
    const result = await run('src/scripts/serve.ts', { SITE_URL: 'https://alerts.example.gov.uk', PORT: 'eighty', TOTP_ENCRYPTION_KEY: '' });
    expect(result.code).toBe(1);
    const variables = result.output.split('\n').filter(Boolean).map((line) => JSON.parse(line).variable);
    expect(variables).toEqual(['PORT', 'TOTP_ENCRYPTION_KEY']);
  });

  it('refuses before anything else under npm start too, without defaulting NEIGHBOUR_FEEDS_ALLOW_PRIVATE in production', async () => {
    const result = await run('src/scripts/start.ts', { SITE_URL: 'https://alerts.example.gov.uk', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true', TOTP_ENCRYPTION_KEY: KEY, PORT: '4321' });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^Refusing to start: NEIGHBOUR_FEEDS_ALLOW_PRIVATE=true is refused/);
    expect(result.output).not.toContain('Building');
  });
});
