// Which addresses a partner's webhook may have, and the form's other rules.
import { describe, expect, it } from 'vitest';
import { checkWebhookAddress, parseWebhookForm } from '../../../src/lib/webhooks/validation.ts';

const PRODUCTION = 'https://alerts.kirklees.gov.uk';
const DEVELOPMENT = 'http://localhost:4321';

describe('a webhook address', () => {
  it('must be https in production', () => {
    expect(checkWebhookAddress('https://radio.example/hooks/council', PRODUCTION)).toEqual({ ok: true, url: 'https://radio.example/hooks/council' });
    expect(checkWebhookAddress('http://radio.example/hooks/council', PRODUCTION)).toMatchObject({ ok: false, message: 'Enter a web address that starts with https://' });
    expect(checkWebhookAddress('ftp://radio.example/', PRODUCTION).ok).toBe(false);
    expect(checkWebhookAddress('not an address', PRODUCTION).ok).toBe(false);
    expect(checkWebhookAddress('  ', PRODUCTION)).toMatchObject({ ok: false, message: 'Enter the web address of the webhook' });
  });

  it('may not point at this machine or a private network in production', () => {
    for (const url of ['https://127.0.0.1/hook', 'https://localhost/hook', 'https://10.1.2.3/hook', 'https://192.168.0.5/hook', 'https://169.254.169.254/latest', 'https://[::1]/hook', 'https://[::ffff:127.0.0.1]/hook']) {
      expect(checkWebhookAddress(url, PRODUCTION), url).toMatchObject({ ok: false, message: 'The web address points to a private or local network, which is not allowed' });
    }
  });

  it('may use http on this machine only while the site itself runs on http', () => {
    expect(checkWebhookAddress('http://127.0.0.1:8080/hook', DEVELOPMENT).ok).toBe(true);
    expect(checkWebhookAddress('http://localhost:8080/hook', DEVELOPMENT).ok).toBe(true);
    expect(checkWebhookAddress('http://[::1]:8080/hook', DEVELOPMENT).ok).toBe(true);
    expect(checkWebhookAddress('http://radio.example/hook', DEVELOPMENT)).toMatchObject({ ok: false });
    expect(checkWebhookAddress('http://10.0.0.5/hook', DEVELOPMENT)).toMatchObject({ ok: false });
    expect(checkWebhookAddress('https://10.0.0.5/hook', DEVELOPMENT).ok).toBe(true);
  });

  it('may not carry a user name or password', () => {
    expect(checkWebhookAddress('https://user:secret@radio.example/hook', PRODUCTION)).toMatchObject({ ok: false, message: 'The web address must not contain a user name or password' });
  });
});

describe('the webhook form', () => {
  const services = ['schools', 'roads-and-gritting', 'libraries'];

  it('keeps only known services, in the services’ order; none means everything', () => {
    const parsed = parseWebhookForm({ name: '  Radio   Kirklees ', url: 'https://radio.example/hook', services: ['libraries', 'schools'] }, services, PRODUCTION);
    expect(parsed).toEqual({ ok: true, input: { name: 'Radio Kirklees', url: 'https://radio.example/hook', serviceSlugs: ['schools', 'libraries'] } });
    expect(parseWebhookForm({ name: 'Paper', url: 'https://paper.example/', services: [] }, services, PRODUCTION)).toMatchObject({ ok: true, input: { serviceSlugs: [] } });
  });

  it('says what is wrong with each field', () => {
    const parsed = parseWebhookForm({ name: '', url: 'http://paper.example/', services: ['no-such-service'] }, services, PRODUCTION);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.field)).toEqual(['name', 'url', 'services']);
  });
});
