// The residents' search over the demo council's real place names: typos, spellings of saints
// and church schools, postcodes and distances.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoContent, type DemoPlace } from '../../../src/lib/content/demo.ts';
import { parsePostcode } from '../../../src/lib/geo/postcode.ts';
import { locatePostcode, searchPlaces, unknownPostcodeMessage, type SearchablePlace } from '../../../src/lib/places/search.ts';
import { outcodeCentroids } from '../../../src/lib/geo/outcodes.ts';

type Row = SearchablePlace & { slug: string; service: string };
let schools: Row[];
let everything: Row[];

beforeAll(async () => {
  const content = await loadDemoContent('content');
  let id = 0;
  const row = (service: string, p: DemoPlace): Row => ({ ...p, id: ++id, currentRevisionId: 1, service });
  everything = content.services.flatMap((s) => s.places.map((p) => row(s.slug, p)));
  schools = everything.filter((p) => p.service === 'schools');
});

const names = (rows: Row[], text: string) => searchPlaces(rows, { text }).hits.map((h) => h.place.name);

describe('finding a school by name', () => {
  it('finds a school by part of its name, whatever the case', () => {
    expect(names(schools, 'HONLEY HIGH')[0]).toBe('Honley High School');
  });

  it('still finds a misspelt school first', () => {
    expect(names(schools, 'Colne Valey High')[0]).toBe('Colne Valley High School');
    expect(names(schools, 'honly high')[0]).toBe('Honley High School');
    expect(names(schools, 'holmfrith high')[0]).toBe('Holmfirth High School');
  });

  it('tolerates two typos in a long word', () => {
    expect(names(schools, 'almondbery comunity')[0]).toBe('Almondbury Community School');
  });

  it('reads "st johns c of e" as St John\'s CE', () => {
    const found = names(schools, 'st johns c of e');
    expect(found.slice(0, 2).sort()).toEqual(["St John's CE Infant School, Kirkheaton", "St John's CE Junior School, Cleckheaton"]);
    expect(names(schools, 'Saint Johns C.E. junior')[0]).toBe("St John's CE Junior School, Cleckheaton");
    expect(found).not.toContain('St John Fisher Catholic High School');
  });

  it('reads RC as Catholic', () => {
    const found = names(schools, 'st josephs rc');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((name) => name.startsWith("St Joseph's Catholic"))).toBe(true);
  });

  it('finds a school by its URN, alone', () => {
    expect(names(schools, '140605')).toEqual(['Colne Valley High School']);
  });

  it('ranks a match in the name above a match in the area', () => {
    const found = names(schools, 'colne');
    expect(found[0]).toBe('Colne Valley High School');
    // The other schools of the Colne Valley ward are found too, after it.
    expect(found).toContain('Marsden Junior School');
  });

  it('finds nothing for nonsense', () => {
    expect(names(schools, 'zzzzqqq')).toEqual([]);
  });
});

describe('finding places near a postcode', () => {
  it('lists the nearest school first for a full postcode, however it is typed', () => {
    for (const text of ['HD9 3TP', 'hd93tp', ' hd9   3tp ']) {
      const { outcome, hits } = searchPlaces(schools, { text });
      expect(outcome.kind, text).toBe('near');
      expect(hits[0]!.place.name, text).toBe('Netherthong Primary School');
      expect(hits.map((h) => h.distanceMiles!)).toEqual([...hits.map((h) => h.distanceMiles!)].sort((a, b) => a - b));
    }
  });

  it('lists the nearest places for a postcode district', () => {
    const { outcome, hits } = searchPlaces(schools, { text: 'HD7' });
    expect(outcome).toMatchObject({ kind: 'near', from: { label: 'HD7', precision: 'district', outcode: 'HD7' } });
    expect(hits.length).toBe(20);
    expect(hits[0]!.distanceMiles).toBeLessThan(2);
  });

  it('measures from a listed place at exactly that postcode, which comes first', () => {
    const { outcome, hits } = searchPlaces(schools, { text: 'HD7 5PT' });
    expect(outcome).toMatchObject({ kind: 'near', from: { precision: 'postcode' } });
    expect(hits[0]!.place.name).toBe('Colne Valley High School');
    expect(hits[0]!.distanceMiles).toBe(0);
  });

  it('applies other filters before taking the nearest', () => {
    const { hits } = searchPlaces(everything, { text: 'HD9 3TP' }, { include: (p) => p.service === 'libraries', limit: 2 });
    expect(hits.map((h) => h.place.name)).toEqual(['Honley Library', 'Holmfirth Library']);
  });

  it('says plainly when it does not know where a district is', () => {
    const result = searchPlaces(schools, { text: 'HD99' });
    expect(result.outcome.kind).toBe('unknown-postcode');
    expect(result.hits).toEqual([]);
    if (result.outcome.kind !== 'unknown-postcode') return;
    const message = unknownPostcodeMessage(result.outcome.postcode);
    expect(`${message.title}. ${message.advice}`).toBe("We don't know where HD99 is. Try a nearby postcode or the school's name.");
    expect(searchPlaces(schools, { text: 'HD99 1AA' }).outcome.kind).toBe('unknown-postcode');
  });

  it('lists the nearest places to a point sent by the browser', () => {
    const { outcome, hits } = searchPlaces(schools, { near: { latitude: 53.59686, longitude: -1.92066 } }, { limit: 3 });
    expect(outcome).toMatchObject({ kind: 'near', from: { precision: 'device', label: 'your location' } });
    expect(hits[0]!.place.name).toBe('Colne Valley High School');
    expect(hits).toHaveLength(3);
  });

  it('knows every district the demo places are in', () => {
    const centroids = outcodeCentroids();
    for (const place of everything) {
      const postcode = parsePostcode(place.postcode);
      expect(postcode, place.postcode).not.toBeNull();
      expect(locatePostcode({ ...postcode!, incode: null }, [], centroids), place.postcode).not.toBeNull();
    }
  });
});

describe('no query', () => {
  it('lists every place in the order given', () => {
    const result = searchPlaces(schools, { text: '  ' });
    expect(result.outcome.kind).toBe('none');
    expect(result.hits.map((h) => h.place.id)).toEqual(schools.map((p) => p.id));
  });
});
