interface ImportMetaEnv {
  /** Fingerprint of the sources this build was made from (astro.config.mjs): part of every ETag. */
  readonly BUILD_ID: string;
}

declare namespace App {
  interface Locals {
    /** The signed-in member of staff, looked up from the session cookie only when a route asks. */
    staff: import('./lib/auth/guards.ts').StaffLoader;
    /** A service page's table rows, as bytes, for the middleware to put at PLACE_ROWS_MARKER. */
    placeRows?: Buffer;
  }
}
