// POST /subscribe/push: the "Get updates on this device" button sends the browser's push
// subscription here as JSON ({ target, subscription }). Astro's checkOrigin does not look at
// JSON bodies, so the Origin check is here: only the site's own pages may subscribe a browser.
import type { APIRoute } from 'astro';
import { isOwnOrigin, subscribeBrowserToPush } from '../../lib/notifications/push-subscriptions.ts';
import { config } from '../../lib/server/config.ts';
import { getDb } from '../../lib/server/db.ts';

const answer = (status: number, body: Record<string, unknown>) => Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });

export const POST: APIRoute = async ({ request, clientAddress }) => {
  if (!isOwnOrigin(request.headers.get('origin'), config.siteUrl)) return answer(403, { ok: false, message: 'Updates can only be set up from this website.' });
  if (!/^application\/json\s*(?:;|$)/i.test(request.headers.get('content-type') ?? '')) {
    return answer(415, { ok: false, message: 'Send the subscription as JSON.' });
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return answer(400, { ok: false, message: 'The request could not be read: it is not valid JSON.' });
  }
  const result = await subscribeBrowserToPush(await getDb(), body, {
    siteUrl: config.siteUrl,
    pushEnabled: config.notifications.push !== null,
    clientAddress,
    now: new Date(),
  });
  return result.ok ? answer(200, { ok: true, manageUrl: result.manageUrl }) : answer(result.status, { ok: false, message: result.message });
};
