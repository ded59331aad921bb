import { describe, expect, it } from 'vitest';
import { withoutTrackingParams } from '../../../src/lib/http/tracking-params.ts';

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
