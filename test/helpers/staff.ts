// Staff in tests: create an account on the test database and sign in over HTTP like a browser
// (form post with Origin), keeping the session cookie for later requests.
import type { Role } from '../../db/schema/index.ts';
import { insertAccount } from '../../src/lib/accounts/repository.ts';
import type { TestDb } from './db.ts';
import type { TestServer } from './server.ts';

export const TEST_PASSWORD = 'a long test password';

export interface SignedIn {
  accountId: number;
  cookie: string;
  /** GET with the session cookie. */
  get: (path: string, init?: RequestInit) => Promise<Response>;
  /** POST a form with the session cookie and a same-site Origin. */
  post: (path: string, fields: Record<string, string | string[]>, init?: RequestInit) => Promise<Response>;
}

let counter = 0;

export async function createStaffAccount(t: TestDb, role: Role, name = `${role} ${++counter}`): Promise<{ id: number; email: string }> {
  const email = `${role}-${Date.now()}-${++counter}@example.org`;
  const id = await insertAccount(t.db, { email, name, role, password: TEST_PASSWORD }, null);
  return { id, email };
}

export function formBody(fields: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body;
}

/** Signs in with email and password; throws if the sign-in does not succeed. */
export async function signIn(server: TestServer, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const response = await server.get('/staff/sign-in', {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ email, password }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const match = /csa_session=([a-z2-7]+)/.exec(setCookie);
  if (response.status !== 303 || !match) throw new Error(`Sign-in failed for ${email}: ${response.status}`);
  return asSignedIn(server, `csa_session=${match[1]}`);
}

export function asSignedIn(server: TestServer, cookie: string, accountId = 0): SignedIn {
  return {
    accountId,
    cookie,
    get: (path, init = {}) => server.get(path, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie } }),
    post: (path, fields, init = {}) =>
      server.get(path, {
        method: 'POST',
        ...init,
        headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie, ...(init.headers as Record<string, string>) },
        body: formBody(fields),
      }),
  };
}

/** Creates an account with `role` and signs it in. */
export async function signInAs(t: TestDb, server: TestServer, role: Role, name?: string): Promise<SignedIn & { email: string }> {
  const account = await createStaffAccount(t, role, name);
  const session = await signIn(server, account.email);
  return { ...session, accountId: account.id, email: account.email };
}
