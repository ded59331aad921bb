interface ImportMetaEnv {
  /** Fingerprint of the sources this build was made from (astro.config.mjs): part of every ETag. */
  readonly BUILD_ID: string;
}
