// The rules of POST /subscribe/push that need no database: what a target may be, which push
// endpoints the server will ever call, and whose pages may subscribe a browser.
import { describe, expect, it } from 'vitest';
import { isOwnOrigin, parseSubscriptionTarget, pushEndpointProblem } from '../../../src/lib/notifications/push-subscriptions.ts';

describe('parseSubscriptionTarget', () => {
  it('reads a place, a whole service, one ward of a service, and every severe alert', () => {
    expect(parseSubscriptionTarget('place:12')).toEqual({ kind: 'place', id: 12 });
    expect(parseSubscriptionTarget('service:3')).toEqual({ kind: 'service', id: 3, ward: '' });
    expect(parseSubscriptionTarget('service:3:Almondbury')).toEqual({ kind: 'service', id: 3, ward: 'Almondbury' });
    expect(parseSubscriptionTarget('service:3:Dalton & Kirkheaton')).toEqual({ kind: 'service', id: 3, ward: 'Dalton & Kirkheaton' });
    expect(parseSubscriptionTarget('severe_alerts')).toEqual({ kind: 'severe_alerts' });
  });

  it('refuses anything else', () => {
    for (const raw of ['', 'place:', 'place:0', 'place:012', 'place:1x', 'place:1234567890', 'alert:3', 'page:1', 'service:', 'service:3:', `service:3:${'x'.repeat(101)}`, 'severe', ' place:1']) {
      expect(parseSubscriptionTarget(raw), raw).toBeNull();
    }
  });
});

describe('pushEndpointProblem', () => {
  const live = 'https://alerts.kirklees.gov.uk';
  const dev = 'http://localhost:4321';

  it('accepts the push services browsers use', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh',
      'https://web.push.apple.com/QGuQyavXutnMH',
      'https://wns2-db5p.notify.windows.com/w/?token=BQYAAAB',
    ]) {
      expect(pushEndpointProblem(endpoint, live), endpoint).toBeNull();
    }
  });

  it('refuses anything but https:, and addresses with a user name', () => {
    expect(pushEndpointProblem('http://fcm.googleapis.com/fcm/send/x', live)).toMatch(/https/);
    expect(pushEndpointProblem('http://localhost:8090/notify/x', dev)).toMatch(/https/);
    expect(pushEndpointProblem('ftp://fcm.googleapis.com/x', live)).toMatch(/https/);
    expect(pushEndpointProblem('javascript:alert(1)', live)).toMatch(/https/);
    expect(pushEndpointProblem('not an address', live)).toMatch(/not a web address/);
    expect(pushEndpointProblem('https://user:secret@fcm.googleapis.com/x', live)).toMatch(/user name/);
  });

  it('refuses addresses on this machine or a private network for a live (https:) site', () => {
    for (const endpoint of ['https://localhost/x', 'https://127.0.0.1:8443/x', 'https://[::1]/x', 'https://10.1.2.3/x', 'https://192.168.0.10/x', 'https://169.254.169.254/latest', 'https://[::ffff:127.0.0.1]/x', 'https://intranet/x', 'https://push.localhost/x']) {
      expect(pushEndpointProblem(endpoint, live), endpoint).toMatch(/public internet/);
    }
    expect(pushEndpointProblem('https://8.8.8.8/x', live)).toBeNull();
  });

  it('lets a development site (http:) use a push service on this machine, still only over https:', () => {
    expect(pushEndpointProblem('https://localhost:8443/notify/x', dev)).toBeNull();
    expect(pushEndpointProblem('https://127.0.0.1:8443/notify/x', dev)).toBeNull();
    expect(pushEndpointProblem('https://10.1.2.3/x', dev)).toMatch(/public internet/);
  });
});

describe('isOwnOrigin', () => {
  it('is true only for the origin of SITE_URL', () => {
    expect(isOwnOrigin('https://alerts.kirklees.gov.uk', 'https://alerts.kirklees.gov.uk/')).toBe(true);
    expect(isOwnOrigin('http://localhost:4321', 'http://localhost:4321')).toBe(true);
    expect(isOwnOrigin('http://alerts.kirklees.gov.uk', 'https://alerts.kirklees.gov.uk')).toBe(false);
    expect(isOwnOrigin('https://alerts.kirklees.gov.uk.evil.example', 'https://alerts.kirklees.gov.uk')).toBe(false);
    expect(isOwnOrigin('null', 'https://alerts.kirklees.gov.uk')).toBe(false);
    expect(isOwnOrigin(null, 'https://alerts.kirklees.gov.uk')).toBe(false);
  });
});
