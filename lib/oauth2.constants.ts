/** The options after defaults: what every part of the module reads. */
export const OAUTH2_CONFIG = Symbol('nestjs-google-oauth2:config');

export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_STORE_TIMEOUT_MS = 1_000;
