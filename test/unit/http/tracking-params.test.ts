import { describe, expect, it } from 'vitest';
import { withOnlyPageParams, withoutTrackingParams } from '../../../src/lib/http/tracking-params.ts';

describe('tracking parameters on a shared link', () => {
  it('are taken off a page address, leaving the real query', () => {
    expect(withoutTrackingParams('/?utm_source=twitter&utm_medium=social')).toBe('/');
    expect(withoutTrackingParams('/?fbclid=IwAR0abc')).toBe('/');
    expect(withoutTrackingParams('/services/schools?q=colne&gclid=xyz')).toBe('/services/schools?q=colne');
    expect(withoutTrackingParams('/services/schools?UTM_Campaign=snow&status=closed#results')).toBe('/services/schools?status=closed#results');
  });

  it('leave every other address exactly as it is', () => {
    expect(withoutTrackingParams('/')).toBe('/');
    expect(withoutTrackingParams('/services/schools?q=utm_source')).toBe('/services/schools?q=utm_source');
    expect(withoutTrackingParams('/find?q=hd9&utmost=1')).toBe('/find?q=hd9&utmost=1');
  });

  it('leave the API and feeds to their strict parameter checks', () => {
    expect(withoutTrackingParams('/api/v1/changes?utm_source=x')).toBe('/api/v1/changes?utm_source=x');
    expect(withoutTrackingParams('/feeds/schools.rss?fbclid=1')).toBe('/feeds/schools.rss?fbclid=1');
  });
});

describe('parameters a page does not read', () => {
  it('are taken off, with the tracking ones, the same way on every page', () => {
    expect(withOnlyPageParams('/?ref=newsletter')).toBe('/');
    expect(withOnlyPageParams('/?utm_source=x&ref=y')).toBe('/');
    expect(withOnlyPageParams('/pages/about?page=2')).toBe('/pages/about');
    expect(withOnlyPageParams('/alerts/3?x=1#top')).toBe('/alerts/3#top');
    expect(withOnlyPageParams('/services/schools/colne-valley-high-school?from=share')).toBe('/services/schools/colne-valley-high-school');
    expect(withOnlyPageParams('/services/schools?q=colne&sort=name&status=closed')).toBe('/services/schools?q=colne&status=closed');
    expect(withOnlyPageParams('/find?q=hd9&utmost=1')).toBe('/find?q=hd9');
  });

  it('leaves what a page reads, in the order it came, empty values too', () => {
    expect(withOnlyPageParams('/services/schools?ward=Dalton&q=&status=')).toBe('/services/schools?ward=Dalton&q=&status=');
    expect(withOnlyPageParams('/find?near=53.6,-1.8&service=schools')).toBe('/find?near=53.6,-1.8&service=schools');
    expect(withOnlyPageParams('/services/schools?view=print')).toBe('/services/schools?view=print');
  });

  it('leaves a name that cannot be read, for admission to refuse, and every other address alone', () => {
    expect(withOnlyPageParams('/services/schools?%zz=1')).toBe('/services/schools?%zz=1');
    expect(withOnlyPageParams('/api/v1/changes?after=3&x=1')).toBe('/api/v1/changes?after=3&x=1');
    expect(withOnlyPageParams('/feeds/schools.rss?x=1')).toBe('/feeds/schools.rss?x=1');
    expect(withOnlyPageParams('/suggest?target=new&service=schools')).toBe('/suggest?target=new&service=schools');
    expect(withOnlyPageParams('/staff/places?x=1')).toBe('/staff/places?x=1');
  });
});
