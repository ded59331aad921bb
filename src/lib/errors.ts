// Typed errors for unexpected outcomes; src/middleware.ts maps them to pages in one place (sign-in, 403, 404, 400). Edit conflicts are expected outcomes, returned as values, not thrown.
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

/** For `.catch(nullIfNotFound)`: turns a NotFoundError into null so the route can answer 404. */
export function nullIfNotFound(error: unknown): null {
  if (error instanceof NotFoundError) return null;
  throw error;
}

/** A request the server cannot read (wrong content type, malformed form): answered 400. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
