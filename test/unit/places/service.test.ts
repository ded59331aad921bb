import { describe, expect, it } from 'vitest';
import {
  filterPlaces,
  matchesQuery,
  parsePlaceFilters,
  summariseStatuses,
  wardsOf,
  withEffectiveStatus,
  type PlaceLike,
} from '../../../src/lib/places/service.ts';
import type { PlaceStatus } from '../../../src/lib/places/status.ts';

const now = new Date('2026-11-21T07:30:00Z');
function place(name: string, status: PlaceStatus, extra: Partial<PlaceLike> = {}): PlaceLike {
  return {
    name, status, identifier: null, address: '', postcode: '', ward: 'Almondbury',
    statusUntil: null, confirmedAt: new Date('2026-11-21T06:00:00Z'), updatedAt: new Date('2026-11-21T06:00:00Z'),
    ...extra,
  };
}

const places = withEffectiveStatus(
  [
    place('Almondbury Junior School', 'closed', { identifier: '107654', postcode: 'HD5 8XW' }),
    place('Batley Grammar School', 'open', { ward: 'Batley West', updatedAt: new Date('2026-11-21T07:10:00Z') }),
    place('Crossley Fields Junior', 'closed', { ward: 'Mirfield', statusUntil: new Date('2026-11-21T07:00:00Z') }),
    place('Dewsbury Moor Primary', 'opening_late', { ward: 'Dewsbury West' }),
  ],
  now,
);

describe('summariseStatuses', () => {
  it('counts effective statuses in action order and finds the newest update', () => {
    const summary = summariseStatuses(places);
    expect(summary.total).toBe(4);
    expect(summary.counts).toEqual([
      { status: 'closed', count: 1 },
      { status: 'opening_late', count: 1 },
      { status: 'open', count: 1 },
      { status: 'unknown', count: 1 },
    ]);
    expect(summary.lastUpdated).toEqual(new Date('2026-11-21T07:10:00Z'));
  });

  it('says nothing was updated for an empty list', () => {
    expect(summariseStatuses([])).toEqual({ total: 0, counts: [], lastUpdated: null });
  });
});

describe('parsePlaceFilters', () => {
  const wards = ['Almondbury', 'Batley West'];

  it('accepts a known status, a known ward and a query', () => {
    const { filters, problems } = parsePlaceFilters(new URLSearchParams('status=closed&ward=Almondbury&q=%20junior%20'), wards);
    expect(problems).toEqual([]);
    expect(filters).toEqual({ status: 'closed', ward: 'Almondbury', query: 'junior' });
  });

  it('reports an unknown status or ward instead of guessing', () => {
    const { filters, problems } = parsePlaceFilters(new URLSearchParams('status=melted&ward=Atlantis'), wards);
    expect(filters.status).toBeNull();
    expect(filters.ward).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['status', 'ward']);
  });

  it('reports an over-long search and keeps its first 100 characters', () => {
    const { filters, problems } = parsePlaceFilters(new URLSearchParams({ q: 'x'.repeat(150) }), wards);
    expect(problems).toEqual([{ field: 'q', message: 'Search must be 100 characters or fewer' }]);
    expect(filters.query).toHaveLength(100);
  });
});

describe('filterPlaces', () => {
  it('filters by effective status, so a lapsed closure is not counted as closed', () => {
    const closed = filterPlaces(places, { status: 'closed', ward: null, query: '' });
    expect(closed.map((p) => p.name)).toEqual(['Almondbury Junior School']);
    const unknown = filterPlaces(places, { status: 'unknown', ward: null, query: '' });
    expect(unknown.map((p) => p.name)).toEqual(['Crossley Fields Junior']);
  });

  it('filters by ward', () => {
    expect(filterPlaces(places, { status: null, ward: 'Batley West', query: '' }).map((p) => p.name)).toEqual(['Batley Grammar School']);
  });

  it('combines every filter', () => {
    expect(filterPlaces(places, { status: 'open', ward: 'Almondbury', query: '' })).toEqual([]);
  });
});

describe('matchesQuery', () => {
  const school = places[0]!;
  it('matches words in any order and any case', () => {
    expect(matchesQuery(school, 'junior ALMONDBURY')).toBe(true);
  });
  it('matches a URN and a postcode written with or without its space', () => {
    expect(matchesQuery(school, '107654')).toBe(true);
    expect(matchesQuery(school, 'hd5 8xw')).toBe(true);
    expect(matchesQuery(school, 'HD58XW')).toBe(true);
  });
  it('ignores punctuation and accents', () => {
    expect(matchesQuery(place("St. Patrick's Catholic Primary", 'open'), 'st patricks')).toBe(true);
    expect(matchesQuery(place("St. Patrick's Catholic Primary", 'open'), 'patrick catholic')).toBe(true);
    expect(matchesQuery(place('Café Primary', 'open'), 'cafe')).toBe(true);
  });
  it('does not match when any word is missing', () => {
    expect(matchesQuery(school, 'almondbury infant')).toBe(false);
  });
});

describe('wardsOf', () => {
  it('lists each ward once, sorted', () => {
    expect(wardsOf(places)).toEqual(['Almondbury', 'Batley West', 'Dewsbury West', 'Mirfield']);
  });
});
