// JSON responses for the API: one shape for success and for errors, public caching on success.
import { NotFoundError } from '../errors.ts';
import { setPublicCaching } from './cache.ts';

export interface ApiErrorBody {
  error: { status: number; message: string; issues?: { parameter: string; message: string }[] };
}

export function jsonError(status: number, message: string, issues?: ApiErrorBody['error']['issues']): Response {
  const body: ApiErrorBody = { error: { status, message, ...(issues ? { issues } : {}) } };
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });
}

type Result<T> = { ok: true; value: T } | { ok: false; issues: { parameter: string; message: string }[] };

/** The 400 for bad parameters: the message says what was wrong, `issues` names each parameter. */
function badParameters(issues: { parameter: string; message: string }[]): Response {
  const what = issues.map((i) => i.message).join('; ');
  return jsonError(400, what ? `The request has parameters that are not valid: ${what}` : 'The request has parameters that are not valid', issues);
}

/** Runs an open-data read model: 200 with JSON, 400 for bad parameters, 404 for unknown things. */
export async function respondWithJson<T>(load: () => Promise<Result<T>>): Promise<Response> {
  try {
    const result = await load();
    if (!result.ok) return badParameters(result.issues);
    const response = Response.json(result.value);
    setPublicCaching(response.headers);
    return response;
  } catch (error) {
    if (error instanceof NotFoundError) return jsonError(404, error.message);
    throw error;
  }
}

/** Same for feed documents (XML, JSON Feed, CSV). */
export async function respondWithDocument(
  load: () => Promise<Result<{ body: string; contentType: string; filename?: string; webSub?: { hub: string; self: string } }>>,
): Promise<Response> {
  try {
    const result = await load();
    if (!result.ok) return badParameters(result.issues);
    const { body, contentType, filename, webSub } = result.value;
    const headers = new Headers({ 'Content-Type': contentType });
    if (filename) headers.set('Content-Disposition', `inline; filename="${filename}"`);
    // WebSub discovery: the hub and the topic's own address, as the Recommendation asks (§4).
    if (webSub) headers.set('Link', `<${webSub.hub}>; rel="hub", <${webSub.self}>; rel="self"`);
    setPublicCaching(headers);
    return new Response(body, { headers });
  } catch (error) {
    if (error instanceof NotFoundError) return jsonError(404, error.message);
    throw error;
  }
}
