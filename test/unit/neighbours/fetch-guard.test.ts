// The feed reader's safety rules that need no network: which addresses count as public, which
// web addresses are refused before any connection, and how a failing feed backs off.
import { describe, expect, it } from 'vitest';
import { fetchFeed, isPublicAddress } from '../../../src/lib/neighbours/fetch.ts';
import { nextPollDelayMs } from '../../../src/lib/neighbours/poll.ts';

describe('isPublicAddress', () => {
  const refused = [
    '127.0.0.1', '127.8.9.10', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.254', '192.0.2.10', '198.18.0.1', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe', '64:ff9b::192.168.0.1', '2002:c0a8:0101::1', '2001:db8::1', '[::1]', 'not an address',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '151.101.0.81', '2a00:1450:4009:81f::200e', '::ffff:8.8.8.8'];
  for (const address of refused) it(`refuses ${address}`, () => expect(isPublicAddress(address)).toBe(false));
  for (const address of allowed) it(`allows ${address}`, () => expect(isPublicAddress(address)).toBe(true));
});

describe('fetchFeed refuses before connecting', () => {
  const cases: [string, RegExp][] = [
    ['ftp://example.org/feed.xml', /must start with http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /must start with http:\/\/ or https:\/\//],
    ['not a web address', /not a valid web address/],
    ['http://user:secret@example.org/feed', /must not contain a user name or password/],
    ['http://127.0.0.1/feed', /private or local network \(127\.0\.0\.1\)/],
    ['http://10.0.0.8/feed', /private or local network/],
    ['http://localhost/feed', /private or local network \(localhost\)/],
    ['http://printer.localhost/feed', /private or local network/],
    ['http://[fd00::1]/feed', /private or local network/],
  ];
  for (const [url, message] of cases) {
    it(`refuses ${url}`, async () => {
      expect(await fetchFeed(url, {}, { timeoutMs: 1_000 })).toEqual({ status: 'error', error: expect.stringMatching(message) });
    });
  }
});

describe('back-off', () => {
  it('waits the interval after a success, then doubles after each failure, never more than six hours', () => {
    const minutes = [0, 1, 2, 3, 4, 5, 6, 7, 50].map((failures) => nextPollDelayMs(10, failures) / 60_000);
    expect(minutes).toEqual([10, 10, 20, 40, 80, 160, 320, 360, 360]);
  });

  it('uses the default ten minutes when polling is off', () => {
    expect(nextPollDelayMs(0, 0)).toBe(10 * 60_000);
  });
});
