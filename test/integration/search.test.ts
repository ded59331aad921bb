// Residents' search over HTTP: the home page's lookup (/find) and the status page's search box,
// against the real built server and the demo council.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, resultRows, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const find = (query: string) => server.get(`/find?${query}`);

describe('the lookup on the home page', () => {
  it('is a plain GET form to /find that lands on the results', async () => {
    const doc = await readHtml(await server.get('/'));
    const form = doc.querySelector('form[role="search"][action^="/find"]');
    expect(form?.getAttribute('method')).toBe('get');
    expect(form?.getAttribute('action')).toBe('/find#results');
    const input = form?.querySelector('input[name="q"]');
    expect(textOf(doc.querySelector(`label[for="${input?.getAttribute('id')}"]`))).toBe('School or place name, URN or postcode');
    expect(textOf(doc.querySelector('main'))).toContain('Is my school open?');
  });

  it('loads its one optional script from the site itself', async () => {
    const doc = await readHtml(await server.get('/'));
    const scripts = doc.querySelectorAll('script');
    expect(scripts.map((s) => s.getAttribute('src'))).toEqual(['/scripts/use-my-location.js']);
    const script = await server.get('/scripts/use-my-location.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('navigator.geolocation');
  });

  it('lets the site itself ask for the location, and nothing else', async () => {
    expect((await server.get('/')).headers.get('permissions-policy')).toContain('geolocation=(self)');
  });
});

describe('/find by name', () => {
  it('finds a misspelt school first, with its status inline', async () => {
    const response = await find('q=Colne+Valey+High');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#results'))).toBe('1 place matches “Colne Valey High”');
    const [first] = resultRows(doc);
    expect(first).toMatchObject({ name: 'Colne Valley High School', href: '/services/schools/colne-valley-high-school' });
    expect(first!.status).not.toBe('');
  });

  it('reads "st johns c of e" as the St John\'s CE schools', async () => {
    const rows = resultRows(await readHtml(await find('q=st+johns+c+of+e')));
    expect(rows.slice(0, 2).map((r) => r.name).sort()).toEqual(["St John's CE Infant School, Kirkheaton", "St John's CE Junior School, Cleckheaton"]);
  });

  it('finds a school by URN', async () => {
    expect(resultRows(await readHtml(await find('q=140605'))).map((r) => r.name)).toEqual(['Colne Valley High School']);
  });

  it('groups places by service and can look in one service only', async () => {
    const all = await readHtml(await find('q=honley'));
    const services = all.querySelectorAll('#results ~ section h3').map(textOf);
    expect(services).toContain('Schools');
    expect(services).toContain('Libraries');
    const one = await readHtml(await find('q=honley&service=libraries'));
    expect(resultRows(one).map((r) => r.name)).toEqual(['Honley Library']);
  });

  it('says plainly when nothing matches', async () => {
    const doc = await readHtml(await find('q=zzzzqqq'));
    expect(resultRows(doc)).toEqual([]);
    expect(textOf(doc.querySelector('main'))).toContain('Nothing matches');
  });
});

describe('/find by postcode or location', () => {
  it('lists the nearest school first for a full postcode, with its distance', async () => {
    const doc = await readHtml(await find('q=hd93tp'));
    expect(textOf(doc.querySelector('#results'))).toBe('Nearest to HD9 3TP');
    const schools = doc.querySelector('section[aria-labelledby="results-schools"]')!;
    const first = schools.querySelector('tbody tr')!;
    expect(textOf(first.querySelector('th a'))).toBe('Netherthong Primary School');
    expect(textOf(first.querySelector('[data-label="Distance"]'))).toBe('1.6 miles');
    expect(textOf(doc.querySelector('main'))).toContain('from the middle of the HD9 postcode area');
    // Schools come first, and each service lists its few nearest places.
    expect(textOf(doc.querySelector('#results ~ section h3'))).toBe('Schools');
    expect(schools.querySelectorAll('tbody tr')).toHaveLength(5);
  });

  it('says it does not know an unknown postcode district', async () => {
    const response = await find('q=HD99');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#results'))).toBe("We don't know where HD99 is");
    expect(textOf(doc.querySelector('main'))).toContain("Try a nearby postcode or the school's name.");
  });

  it('lists the nearest places to a location sent by the browser', async () => {
    const doc = await readHtml(await find('near=53.597,-1.921&service=schools'));
    expect(textOf(doc.querySelector('#results'))).toBe('Nearest to your location');
    const rows = resultRows(doc);
    expect(rows[0]!.name).toBe('Colne Valley High School');
    expect(rows).toHaveLength(20);
  });

  it('answers a location it cannot read with 400 and the box to try again', async () => {
    for (const near of ['53.5,-1.9,0', '91,0', 'here', '53.5;-1.9']) {
      const response = await find(`near=${encodeURIComponent(near)}`);
      expect(response.status, near).toBe(400);
      const doc = await readHtml(response);
      expect(textOf(doc.querySelector('.govuk-error-summary')), near).toContain('We could not read your location');
      expect(doc.querySelector('input[name="q"]'), near).not.toBeNull();
    }
  });

  it('answers an unknown service with 400', async () => {
    expect((await find('q=honley&service=space-travel')).status).toBe(400);
  });

  it('shows just the box when nothing was asked', async () => {
    const response = await server.get('/find');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(doc.querySelector('#results')).toBeNull();
    expect(doc.querySelector('input[name="q"]')).not.toBeNull();
  });

  it('serves a repeated lookup from the page cache', async () => {
    await find('q=meltham');
    expect((await find('q=meltham')).headers.get('x-cache')).toBe('HIT');
  });
});

describe('the status page search box', () => {
  it('lands on the results, which say how many match', async () => {
    const doc = await readHtml(await server.get('/services/schools?q=colne'));
    expect(doc.querySelector('form[role="search"]')?.getAttribute('action')).toBe('/services/schools#results');
    const rows = resultRows(doc);
    expect(textOf(doc.querySelector('h2#results'))).toBe(`${rows.length} schools match “colne”`);
    expect(rows[0]!.name).toBe('Colne Valley High School');
  });

  it('tolerates typos', async () => {
    expect(resultRows(await readHtml(await server.get('/services/schools?q=holmfrith+high')))[0]!.name).toBe('Holmfirth High School');
  });

  it('lists the nearest first for a postcode, with distances', async () => {
    const doc = await readHtml(await server.get('/services/schools?q=HD9+3TP'));
    expect(textOf(doc.querySelector('h2#results'))).toBe('The 20 schools nearest HD9 3TP');
    const rows = doc.querySelectorAll('table tbody tr');
    expect(textOf(rows[0]!.querySelector('th a'))).toBe('Netherthong Primary School');
    const miles = rows.map((row) => Number(textOf(row.querySelector('[data-label="Distance"]')).split(' ')[0]));
    expect(miles).toEqual([...miles].sort((a, b) => a - b));
  });

  it('combines a postcode with the status filter', async () => {
    const doc = await readHtml(await server.get('/services/schools?q=HD9&status=opening_late'));
    const rows = resultRows(doc);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['Opening late']));
  });

  it('names the place it does not know, in the service\'s own words', async () => {
    const doc = await readHtml(await server.get('/services/libraries?q=HD99+1ZZ'));
    expect(textOf(doc.querySelector('h2#results'))).toBe("We don't know where HD99 is");
    expect(textOf(doc.querySelector('main'))).toContain("Try a nearby postcode or the library's name.");
  });

  it('needs no JavaScript: the only script is the optional "Print this list" file', async () => {
    const doc = await readHtml(await server.get('/services/schools?q=colne'));
    expect(doc.querySelectorAll('script').map((s) => s.getAttribute('src'))).toEqual(['/scripts/print-link.js']);
  });
});
