/** The emulated Google endpoints, as counted, recorded and faulted by the emulator. */
export type EmulatorEndpoint =
  | 'token'
  | 'tokeninfo'
  | 'userinfo'
  | 'certs'
  | 'signJwt'
  | 'signBlob'
  | 'generateAccessToken'
  | 'generateIdToken'
  | 'metadata'
  | 'iapKeys';

/** Every endpoint name, in a stable order. */
export const EMULATOR_ENDPOINTS: readonly EmulatorEndpoint[] = Object.freeze([
  'token',
  'tokeninfo',
  'userinfo',
  'certs',
  'signJwt',
  'signBlob',
  'generateAccessToken',
  'generateIdToken',
  'metadata',
  'iapKeys',
]);

/**
 * What `failNext` does to a request instead of answering it normally:
 * - a status: answer with that status and body (default: Google's JSON error for the status);
 * - `'timeout'`: never answer (the socket is held until `stop()`);
 * - `'reset'`: destroy the socket (the client sees a connection reset).
 */
export type EmulatorFault =
  { status: number; body?: unknown; headers?: Record<string, string> } | 'timeout' | 'reset';

/**
 * A service-account key file, as the Cloud console downloads it. (A type alias, not an interface,
 * so that it is assignable to index-signature types such as `Record<string, unknown>`.)
 */
export type ServiceAccountKeyFile = {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  /** PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`). */
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: 'googleapis.com';
};

/** A Google (Workspace or consumer) user known to the emulator. */
export interface EmulatedUser {
  email: string;
  /** Google's numeric user id (the `sub` claim). */
  id: string;
  emailVerified: boolean;
  /** The Workspace domain (`hd` claim), if any. */
  hostedDomain?: string;
  name?: string;
}

/** One request the emulator received. */
export interface RecordedRequest {
  endpoint: EmulatorEndpoint;
  method: string;
  /** Path with its query string, as sent. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body ('' when none). */
  body: string;
  /** When it arrived, by the emulator's clock (ms since the epoch). */
  at: number;
}

/** The emulator's clock: `Date.now()` plus an offset, read afresh on every call. */
export interface EmulatorClockApi {
  /** The emulator's time in milliseconds since the epoch: `Date.now()` plus the offset. */
  now(): number;
  /** Moves the emulator's time forward (or back, when negative) by `ms`. */
  advance(ms: number): void;
  /** Sets the offset so that `now()` is `epochMs` at this moment; time keeps running. */
  set(epochMs: number): void;
  /** Back to `Date.now()`. */
  reset(): void;
}

/** Options of `new GoogleOAuth2Emulator(options)`. */
export interface GoogleOAuth2EmulatorOptions {
  /** `max-age` of the certs endpoints' `Cache-Control`, in seconds. Default 21600 (6 h), as Google's hours. */
  certsMaxAgeSeconds?: number;
  /** Project of the default service account and of `createServiceAccount` by default. Default `emulator-project`. */
  projectId?: string;
  /** How many recent requests `requests()` keeps. Default 1000. */
  maxRecordedRequests?: number;
  /**
   * Life of the access tokens the token endpoint and the metadata server mint, in seconds.
   * Default 3600, as Google's; shorter ones let a test see clients refresh (`expires_in` says it).
   */
  accessTokenLifetimeSeconds?: number;
}
