// The load generators `npm run bench` drives: wrk when it is installed (a C program, far cheaper
// per request than anything in Node), otherwise autocannon (a Node process on the same cores,
// so its own cost caps what it can measure — the bench says which one it used). Both send what
// a browser sends and count, per kind of request, how many answers were rendered (X-Cache: MISS).
//
// A run's addresses come from a mix: each request draws its kind in turn from a fixed cycle of
// ten (e.g. 7 service pages, 2 unique searches, 1 place page), searches get a never-repeated
// query, place pages go round a list.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

/** What browsers and CDNs send; both servers answer with the same brotli bytes. */
export const BROWSER_HEADERS = { 'accept-encoding': 'br, gzip', accept: 'text/html' };

export type Kind = 'page' | 'search' | 'place';

export interface Mix {
  /** The kind of each request, in a cycle (ten entries make percentages). */
  cycle: Kind[];
  /** The address of `page` requests. */
  page: string;
  /** The address searches start from: `${search}?q=…` with a query never sent before. */
  search: string;
  /** Place pages, visited in turn. */
  places: string[];
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers other than 2xx/3xx. */
  errors: number;
  /** Answers rendered (X-Cache: MISS), by kind of request. */
  renders: Record<Kind, number>;
  requests: number;
}

export interface Generator {
  name: string;
  run(origin: string, mix: Mix, connections: number, seconds: number): Promise<Figures>;
}

/** The fixed mix of one address. */
export function only(path: string): Mix {
  return { cycle: ['page'], page: path, search: path, places: [] };
}

// wrk gives the response callback no request: a mix of kinds runs one OS thread per connection,
// so each thread has one request in flight and knows which kind the answer it reads is for. A
// single kind runs on two threads.
const WRK_SCRIPT = String.raw`
local cycle, page, search, places = {}, os.getenv("MIX_PAGE"), os.getenv("MIX_SEARCH"), {}
for kind in string.gmatch(os.getenv("MIX_CYCLE"), "[^,]+") do cycle[#cycle + 1] = kind end
for place in string.gmatch(os.getenv("MIX_PLACES") or "", "[^,]+") do places[#places + 1] = place end
local headers = { ["Accept-Encoding"] = "br, gzip", ["Accept"] = "text/html" }
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  n, last = 0, nil
  renders = { page = 0, search = 0, place = 0 }
end
function request()
  n = n + 1
  last = cycle[(n + id) % #cycle + 1]
  local path = page
  if last == "search" then path = search .. "?q=school+" .. id .. "x" .. n
  elseif last == "place" then path = places[(n * 7 + id) % #places + 1] end
  return wrk.format("GET", path, headers)
end
function response(status, hdrs, body)
  local cache = hdrs["x-cache"] or hdrs["X-Cache"]
  if cache == "MISS" and last then renders[last] = renders[last] + 1 end
end
function done(summary, latency, requests)
  local r = { page = 0, search = 0, place = 0 }
  for _, t in ipairs(threads) do
    local counted = t:get("renders")
    for k, v in pairs(counted) do r[k] = r[k] + v end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %f %f %f %d %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, r.page, r.search, r.place))
end
`;

function wrk(): Generator {
  const dir = mkdtempSync(join(tmpdir(), 'csa-bench-wrk-'));
  const script = join(dir, 'mix.lua');
  writeFileSync(script, WRK_SCRIPT);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return {
    name: `wrk (${spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.split(' [')[0] ?? 'wrk'})`,
    run: (origin, mix, connections, seconds) =>
      new Promise((resolve, reject) => {
        const threads = new Set(mix.cycle).size > 1 ? connections : Math.min(2, connections);
        const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '-s', script, origin];
        const child = spawn('wrk', args, {
          env: { ...process.env, MIX_CYCLE: mix.cycle.join(','), MIX_PAGE: mix.page, MIX_SEARCH: mix.search, MIX_PLACES: mix.places.join(',') },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('error', reject);
        child.on('exit', () => {
          const line = /^RESULT (.*)$/m.exec(out)?.[1];
          if (!line) return reject(new Error(`wrk printed no result:\n${out}`));
          const [requests, duration, p50, p99, errors, page, search, place] = line.split(' ').map(Number) as number[];
          resolve({ rps: requests! / duration!, p50: p50!, p99: p99!, errors: errors!, renders: { page: page!, search: search!, place: place! }, requests: requests! });
        });
      }),
  };
}

function autocannonGenerator(): Generator {
  return {
    name: `autocannon ${autocannonVersion()} (wrk is not installed: the generator shares the server's cores and caps the figures)`,
    async run(origin, mix, connections, seconds) {
      const renders: Record<Kind, number> = { page: 0, search: 0, place: 0 };
      let n = 0;
      const result = await autocannon({
        url: origin,
        connections,
        duration: seconds,
        headers: BROWSER_HEADERS,
        requests: [
          {
            setupRequest: (request, context) => {
              n += 1;
              const kind = mix.cycle[n % mix.cycle.length]!;
              (context as { kind?: Kind }).kind = kind;
              const path = kind === 'search' ? `${mix.search}?q=school+a${n}` : kind === 'place' ? mix.places[(n * 7) % mix.places.length]! : mix.page;
              return { ...request, path };
            },
            onResponse: (_status, _body, context, headers) => {
              const { kind } = context as { kind?: Kind };
              if (headers?.['x-cache'] === 'MISS' && kind) renders[kind] += 1;
            },
          },
        ],
      });
      return {
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
        renders,
        requests: result.requests.total,
      };
    },
  };
}

function autocannonVersion(): string {
  try {
    return (spawnSync(process.execPath, ['-p', "require('autocannon/package.json').version"], { encoding: 'utf8' }).stdout ?? '').trim();
  } catch {
    return '';
  }
}

/** wrk when it is on the PATH, else autocannon. */
export function chooseGenerator(): Generator {
  const found = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return found.error ? autocannonGenerator() : wrk();
}
