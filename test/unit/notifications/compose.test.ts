// The words of messages: one subject for one change or many, text and HTML from the same lines.
import { describe, expect, it } from 'vitest';
import type { NotifiableChange } from '../../../src/lib/notifications/changes.ts';
import { composeChanges, composeOutcome, manageLines, toHtml, toText } from '../../../src/lib/notifications/compose.ts';

const site = { siteUrl: 'https://alerts.kirklees.example', councilName: 'Kirklees Council' };
const slugs = new Map([[1, 'schools']]);
const school = (n: number, phrase = 'Closed today (snow and ice)'): NotifiableChange => ({
  kind: 'place', placeId: n, serviceId: 1, ward: 'Almondbury', name: `School ${n}`, slug: `school-${n}`, phrase, note: '', revisionId: n,
});

describe('composeChanges', () => {
  it('puts the status in the subject of a message about one place, with its link and the time', () => {
    const message = composeChanges(site, [school(1)], new Date('2026-12-02T07:12:00Z'), slugs);
    expect(message.subject).toBe('School 1: Closed today (snow and ice)');
    expect(message.url).toBe('https://alerts.kirklees.example/services/schools/school-1');
    expect(toText(message.lines)).toContain('Updated at 7:12am on Wednesday 2 December.');
  });
  it('lists every followed place of a change set in one message', () => {
    const message = composeChanges(site, [school(1), school(2), school(3)], new Date('2026-12-02T07:12:00Z'), slugs);
    expect(message.subject).toBe('School 1: Closed today (snow and ice) (and 2 more updates)');
    const text = toText(message.lines);
    for (const n of [1, 2, 3]) expect(text).toContain(`https://alerts.kirklees.example/services/schools/school-${n}`);
  });
});

describe('toHtml', () => {
  it('escapes what staff typed', () => {
    const html = toHtml([{ text: 'Closed <b>today</b> & tomorrow' }]);
    expect(html).toContain('Closed &lt;b&gt;today&lt;/b&gt; &amp; tomorrow');
  });
});

describe('composeOutcome', () => {
  it('gives the reason a suggestion was not used', () => {
    const message = composeOutcome(site, { outcome: 'declined', declineReason: 'The school says it is open' }, 'Ashbrow School', 'https://x/suggestions/abc');
    expect(message.subject).toBe('We did not use your suggestion: Ashbrow School');
    expect(toText(message.lines)).toContain('The reason: The school says it is open');
  });
});

describe('manageLines', () => {
  it('says why the email came and how to stop it', () => {
    const text = toText([], manageLines(['Ashbrow School'], 'https://x/updates/t', 'https://x/updates/t/unsubscribe'));
    expect(text).toContain('You get these emails because you asked for updates about: Ashbrow School.');
    expect(text).toContain('Stop all updates: https://x/updates/t/unsubscribe');
  });
});
