// Search cost over a large council: each distinct query is a render, so a query must stay a
// small part of one (the index is built once per list of places, not per request).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoContent } from '../../../src/lib/content/demo.ts';
import { searchPlaces, type SearchablePlace } from '../../../src/lib/places/search.ts';

const QUERIES = ['Colne Valey High', 'st johns c of e', 'honley', 'almondbery comunity', 'HD9 3TP', 'WF13', 'zzzzqqq', '140605', 'saint josephs rc primary'];
let places: SearchablePlace[];

beforeAll(async () => {
  const content = await loadDemoContent('content');
  const demo = content.services.flatMap((s) => s.places);
  // 1,000 places: the demo's 258, then copies in made-up villages.
  const villages = ['Upper', 'Lower', 'Nether', 'Over', 'High'];
  places = Array.from({ length: 1000 }, (_, i) => {
    const p = demo[i % demo.length]!;
    const copy = Math.floor(i / demo.length);
    return { ...p, id: i + 1, currentRevisionId: 1, name: copy === 0 ? p.name : `${villages[copy - 1]} ${p.name}`, identifier: p.identifier ? String(Number(p.identifier) + copy) : null };
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('search speed', () => {
  it('answers a query over 1,000 places in a few milliseconds once the index is built', () => {
    const buildStart = performance.now();
    searchPlaces(places, { text: 'warm up' });
    const firstQueryMs = performance.now() - buildStart;
    const timings: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const text of QUERIES) {
        const start = performance.now();
        searchPlaces(places, { text });
        timings.push(performance.now() - start);
      }
    }
    const p50 = median(timings);
    const p99 = [...timings].sort((a, b) => a - b)[Math.floor(timings.length * 0.99)]!;
    console.log(`search over 1,000 places: first query (builds the index) ${firstQueryMs.toFixed(1)} ms; then p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms per query`);
    // Generous bounds: the machine is shared; a regression to rebuilding per query costs far more.
    expect(p50).toBeLessThan(15);
  });
});
