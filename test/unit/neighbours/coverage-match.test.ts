// Per-item coverage: whether something we published covers a neighbouring council's item — by
// the same road, postcode, reference or place, or by saying mostly the same words.
import { describe, expect, it } from 'vitest';
import {
  contradicts,
  matchItemToOurContent,
  newsWords,
  postcodesIn,
  roadNumbersIn,
  statusStated,
  type ItemToMatch,
  type OurContent,
} from '../../../src/lib/neighbours/coverage-match.ts';

const NOW = new Date('2026-11-23T09:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const item = (over: Partial<ItemToMatch> & Pick<ItemToMatch, 'title'>): ItemToMatch => ({
  summary: '',
  area: null,
  serviceSlug: 'roads-and-gritting',
  councilName: 'Oldham Council',
  at: minutesAgo(15),
  ...over,
});

let nextId = 1;
const place = (over: Partial<OurContent> & Pick<OurContent, 'title'>): OurContent => ({
  kind: 'place',
  id: nextId++,
  serviceSlugs: ['roads-and-gritting'],
  text: '',
  address: '',
  identifier: null,
  postcode: '',
  status: 'open',
  changedAt: minutesAgo(30),
  href: '/services/roads-and-gritting/x',
  ...over,
});
const alert = (over: Partial<OurContent> & Pick<OurContent, 'title'>): OurContent => ({
  kind: 'alert',
  id: nextId++,
  serviceSlugs: ['roads-and-gritting'],
  text: '',
  changedAt: minutesAgo(60),
  href: '/alerts/x',
  ...over,
});

// Our roads as the demo has them this morning.
const a62Marsden = place({
  title: 'A62 Manchester Road, Huddersfield to Marsden',
  address: 'A62 from Longroyd Bridge through Milnsbridge, Linthwaite and Slaithwaite to Marsden and Standedge',
  postcode: 'HD7 4PB',
  status: 'disrupted',
  text: 'Disrupted. Gritted at 4:30am and 7:00am, but snow is settling again above Marsden. Standedge is passable with care.',
});
const a62Leeds = place({ title: 'A62 Leeds Road, Huddersfield to Cooper Bridge', address: 'A62 from Huddersfield ring road through Bradley to Cooper Bridge roundabout', text: 'Open. Gritted at 4:30am and 7:00am.' });
const a635 = place({
  title: 'A635 Greenfield Road over Saddleworth Moor',
  address: 'A635 from Holmfirth over Saddleworth Moor to the Oldham boundary near Greenfield',
  status: 'closed',
  text: 'Closed. Closed to traffic because of drifting snow. Use the A62 instead.',
});
const gritting = alert({ title: 'Gritting: priority routes treated overnight', text: 'Our gritters treated all priority 1 routes at 4:30am and again at 7:00am.' });
const roads = [a62Marsden, a62Leeds, a635, gritting];

const a62Closed = item({
  title: 'A62 Huddersfield Road closed at Standedge',
  summary: 'The A62 is closed between Diggle and the Kirklees boundary because of drifting snow.',
  area: 'A62 Huddersfield Road, Diggle to Standedge',
});

describe('finding places in text', () => {
  it('finds UK road numbers as councils write them', () => {
    expect(roadNumbersIn('A62 Huddersfield Road closed; use the M62 or the B6114. A1(M) clear.')).toEqual(['A62', 'M62', 'B6114', 'A1(M)']);
  });

  it('does not take postcodes, words or longer codes for roads', () => {
    expect(roadNumbersIn('Manchester M1 1AE, HD7 4PB, A62a, BA62, 10am, Year 11, A12345')).toEqual([]);
  });

  it('finds full postcodes, written with or without the space', () => {
    expect(postcodesIn('Emerald Street, HD1 6BU, and Bent Ley Road HD94PU')).toEqual(['HD1 6BU', 'HD9 4PU']);
  });
});

describe('what their headline states', () => {
  it.each([
    ['A62 Huddersfield Road closed at Standedge', 'closed'],
    ['School closures: more than 60 schools closed today', 'closed'],
    ['Brighouse High School – opening at 10am', 'opening_late'],
    ['Libraries closing at 3pm', 'closing_early'],
    ['Bin collections suspended today', 'disrupted'],
    ['Snow: bin collections running late', 'disrupted'],
    ['Libraries open as normal', 'open'],
    ['Free school meal vouchers during closures', 'closed'],
    ['Gritting routes tonight', null],
  ] as const)('reads “%s” as %s', (headline, status) => {
    expect(statusStated(headline)).toBe(status);
  });

  it('treats their “closed” as at odds with anything of ours but closed', () => {
    expect(contradicts('closed', 'disrupted')).toBe(true);
    expect(contradicts('closed', 'closed')).toBe(false);
    expect(contradicts('open', 'closed')).toBe(true);
    expect(contradicts('disrupted', 'closed')).toBe(false);
  });

  it('leaves out stop-words, numbers and single letters, and stems the rest', () => {
    expect([...newsWords('All 34 schools in Calderdale are closed today because of the snow')]).toEqual(['school', 'calderdale', 'close', 'snow']);
    expect([...newsWords('Gritters out on gritting routes, roads gritted')]).toEqual(['grit', 'route', 'road']);
  });
});

describe('the same place', () => {
  it('does not count our place on the same road as covering a closure when it says something else, and names it as the place to mark', () => {
    const match = matchItemToOurContent(a62Closed, roads);
    expect(match.covered).toBe(false);
    expect(match.conflict).toMatchObject({ place: { id: a62Marsden.id }, ourStatus: 'disrupted', theirStatus: 'closed' });
    expect(match.places[0]!.id).toBe(a62Marsden.id);
    expect(match.namedPlaces).toEqual(['A62']);
  });

  it('covers the closure, linking to our place, once our place on that road says closed', () => {
    const marked = { ...a62Marsden, status: 'closed' as const, text: 'Closed. Closed at Standedge. Source: Oldham Council', changedAt: minutesAgo(1) };
    const match = matchItemToOurContent(a62Closed, [marked, a62Leeds, a635, gritting]);
    expect(match.covered).toBe(true);
    expect(match.by!.content).toBe(marked);
    expect(match.by!.signals[0]).toEqual({ kind: 'road', value: 'A62' });
    expect(match.conflict).toBeNull();
  });

  it('lets only something of ours about the road it names cover it, whatever the words', () => {
    // Our A635 is closed and mentions the A62 in its note — but it is not the A62.
    const match = matchItemToOurContent(a62Closed, [a635, gritting]);
    expect(match.covered).toBe(false);
    expect(match.places).toEqual([]);
  });

  it('counts an alert that names the road and says the same', () => {
    const ours = alert({ title: 'A62 closed at Standedge', text: 'The A62 is closed at Standedge because of drifting snow. Use the M62.' });
    expect(matchItemToOurContent(a62Closed, [a62Marsden, ours]).by?.content).toBe(ours);
  });

  it('matches a school by its URN and a place by its postcode', () => {
    const school = place({ title: 'Holme Junior and Infant School', serviceSlugs: ['schools'], identifier: '107654', status: 'closed', text: 'Closed.' });
    const byUrn = matchItemToOurContent(item({ title: 'Update on URN 107654', serviceSlug: 'schools', councilName: 'Department for Education' }), [school]);
    expect(byUrn.by?.signals[0]).toEqual({ kind: 'reference', value: '107654' });
    const depot = place({ title: 'Bent Ley Road recycling centre', serviceSlugs: ['waste-and-recycling'], postcode: 'HD9 4PU', status: 'closed' });
    const byPostcode = matchItemToOurContent(item({ title: 'Site at HD9 4PU shut', serviceSlug: 'waste-and-recycling' }), [depot]);
    expect(byPostcode.by?.signals[0]).toEqual({ kind: 'postcode', value: 'HD9 4PU' });
  });
});

describe('the same words', () => {
  const bins = alert({ title: 'Bin collections: some rounds suspended today', serviceSlugs: ['waste-and-recycling'], text: 'Collections in other areas are running but may be late.' });

  it('covers their item with ours when it says mostly the same words', () => {
    const match = matchItemToOurContent(item({ title: 'Bin collections suspended today', serviceSlug: 'waste-and-recycling', councilName: 'Rochdale Council' }), [bins]);
    expect(match.covered).toBe(true);
    expect(match.by!.content).toBe(bins);
    expect(match.by!.signals).toEqual([{ kind: 'words', words: ['bin', 'collections', 'suspended'], score: 1 }]);
  });

  it('leaves out their council’s own name', () => {
    const ours = alert({ title: 'Heavy snow: many schools closed and roads affected', serviceSlugs: ['schools', 'roads-and-gritting'] });
    const match = matchItemToOurContent(item({ title: 'All schools in Rochdale closed today', serviceSlug: 'schools', councilName: 'Rochdale Council' }), [ours]);
    expect(match.covered).toBe(true);
  });

  it('keeps an item a gap when its distinctive words are in nothing of ours, however many closures we published', () => {
    const ours = [
      alert({ title: 'Heavy snow: many schools closed and roads affected', serviceSlugs: ['schools'] }),
      ...['Holme', 'Hepworth', 'Scholes', 'Marsden'].map((name) => place({ title: `${name} Junior School`, serviceSlugs: ['schools'], status: 'closed', text: 'Closed. Closed today because of snow.' })),
    ];
    const keywords = new Map([['schools', ['school', 'school closure']]]);
    const vouchers = item({ title: 'Free school meal vouchers during closures', serviceSlug: 'schools', councilName: 'Rochdale Council' });
    const match = matchItemToOurContent(vouchers, ours, keywords);
    expect(match.covered).toBe(false);
    expect(match.closest!.score).toBeLessThan(0.6);
    // One of their own schools, named, is not ours either.
    expect(matchItemToOurContent(item({ title: 'Ripponden J&I School – closed', serviceSlug: 'schools', councilName: 'Calderdale Council' }), ours, keywords).covered).toBe(false);
  });

  it('prefers what says the same status when two say the same words', () => {
    const lift = alert({ title: 'Planned closure of Huddersfield Library lift', serviceSlugs: ['libraries'], text: 'The ground floor will stay open as normal.', changedAt: minutesAgo(1) });
    const library = place({ title: 'Huddersfield Library', serviceSlugs: ['libraries'], status: 'open', text: 'Open. Open as normal.' });
    const match = matchItemToOurContent(item({ title: 'Libraries open as normal', serviceSlug: 'libraries', councilName: 'Bradford Council' }), [lift, library]);
    expect(match.by!.content).toBe(library);
  });

  it('does not let our place that says otherwise cover it by words', () => {
    const closedPool = place({ title: 'Holmfirth Pool', serviceSlugs: ['leisure-centres'], status: 'closed', text: 'Closed. Swimming pools closed.' });
    const match = matchItemToOurContent(item({ title: 'Swimming pools open', serviceSlug: 'leisure-centres' }), [closedPool]);
    expect(match.covered).toBe(false);
  });
});

describe('what counts as ours', () => {
  const bins = alert({ title: 'Bin collections suspended today', serviceSlugs: ['waste-and-recycling'] });
  const theirs = item({ title: 'Bin collections suspended today', serviceSlug: 'waste-and-recycling', at: minutesAgo(60) });

  it('counts what we published from a day before their item until now, including after it', () => {
    expect(matchItemToOurContent(theirs, [{ ...bins, changedAt: minutesAgo(60 + 23 * 60) }]).covered).toBe(true);
    expect(matchItemToOurContent(theirs, [{ ...bins, changedAt: minutesAgo(1) }]).covered).toBe(true);
    expect(matchItemToOurContent(theirs, [{ ...bins, changedAt: minutesAgo(60 + 25 * 60) }]).covered).toBe(false);
  });

  it('counts only our content about the same service', () => {
    expect(matchItemToOurContent(theirs, [{ ...bins, serviceSlugs: ['libraries'] }]).covered).toBe(false);
  });

  it('covers nothing that matched none of our services', () => {
    const match = matchItemToOurContent({ ...theirs, serviceSlug: null }, [bins]);
    expect(match).toMatchObject({ covered: false, by: null, places: [] });
  });
});
