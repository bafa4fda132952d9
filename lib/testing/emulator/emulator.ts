import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoogleUrls } from '../../google/google-urls.js';
import { EmulatorClock } from './clock.js';
import { FaultQueue } from './faults.js';
import { RequestRecorder } from './recorder.js';
import { EmulatorServer } from './server.js';
import { signJwt, withOverrides } from './jwt.js';
import { createIapSigningKey } from './state/signing-keys.js';
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  EmulatorState,
  es256Signer,
  rs256Signer,
  type Principal,
} from './state/index.js';
import type {
  EmulatedUser,
  EmulatorClockApi,
  EmulatorEndpoint,
  EmulatorFault,
  GoogleOAuth2EmulatorOptions,
  RecordedRequest,
  ServiceAccountKeyFile,
} from './types.js';

const DEFAULT_CERTS_MAX_AGE_SECONDS = 6 * 60 * 60;
const DEFAULT_PROJECT_ID = 'emulator-project';
const DEFAULT_MAX_RECORDED_REQUESTS = 1000;

/**
 * An offline Google: a node:http server on 127.0.0.1 that answers as Google's token, tokeninfo,
 * userinfo, certs, IAM Credentials and metadata endpoints do, so the real Google client libraries
 * run against it. Counts and records requests, injects faults, and has its own clock.
 *
 * See docs/emulator.md.
 */
export class GoogleOAuth2Emulator {
  readonly #clock = new EmulatorClock();
  readonly #state: EmulatorState;
  readonly #recorder: RequestRecorder;
  readonly #faults = new FaultQueue();
  readonly #server: EmulatorServer;
  readonly #certsMaxAgeSeconds: number;
  readonly #projectId: string;
  #port: number | undefined;

  constructor(options: GoogleOAuth2EmulatorOptions = {}) {
    const maxAge = options.certsMaxAgeSeconds ?? DEFAULT_CERTS_MAX_AGE_SECONDS;
    if (!Number.isInteger(maxAge) || maxAge < 0) {
      throw new RangeError('certsMaxAgeSeconds must be a non-negative integer');
    }
    this.#certsMaxAgeSeconds = maxAge;
    this.#projectId = options.projectId ?? DEFAULT_PROJECT_ID;
    const tokenLifetime = options.accessTokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isInteger(tokenLifetime) || tokenLifetime < 1) {
      throw new RangeError('accessTokenLifetimeSeconds must be a positive integer');
    }
    this.#state = new EmulatorState(this.#clock, this.#projectId, tokenLifetime);
    this.#recorder = new RequestRecorder(
      options.maxRecordedRequests ?? DEFAULT_MAX_RECORDED_REQUESTS,
    );
    this.#server = new EmulatorServer({
      recorder: this.#recorder,
      faults: this.#faults,
      now: () => this.#clock.now(),
      context: () => ({
        state: this.#state,
        baseUrl: this.url,
        certsMaxAgeSeconds: this.#certsMaxAgeSeconds,
      }),
    });
  }

  /** Starts listening on 127.0.0.1 (`port` 0 or absent: a free port). */
  async start(options: { port?: number } = {}): Promise<this> {
    this.#port = await this.#server.listen(options.port ?? 0);
    return this;
  }

  /** Stops listening and closes every socket, including ones held by a `'timeout'` fault. */
  async stop(): Promise<void> {
    await this.#server.close();
    this.#port = undefined;
  }

  /** `http://127.0.0.1:PORT`; throws before `start()`. */
  get url(): string {
    return `http://${this.metadataHost}`;
  }

  /** `127.0.0.1:PORT`, for `GCE_METADATA_HOST`; throws before `start()`. */
  get metadataHost(): string {
    if (this.#port === undefined) {
      throw new Error('GoogleOAuth2Emulator is not started: await emulator.start() first');
    }
    return `127.0.0.1:${this.#port}`;
  }

  /** Every Google URL the library uses, pointing at this emulator. */
  get urls(): GoogleUrls {
    const url = this.url;
    return {
      token: `${url}/token`,
      tokenInfo: `${url}/tokeninfo`,
      userInfo: `${url}/v1/userinfo`,
      certs: `${url}/oauth2/v3/certs`,
      iamCredentials: url,
      metadata: url,
      apiRoot: `${url}/`,
      iapPublicKeys: `${url}/iap/verify/public_key-jwk`,
    };
  }

  /** The emulator's clock (token expiry, assertion windows, ID-token times). */
  get clock(): EmulatorClockApi {
    return this.#clock;
  }

  /** The identity the metadata server hands out tokens for (created with the emulator). */
  get defaultServiceAccount(): ServiceAccountKeyFile {
    return this.#state.defaultServiceAccountKey;
  }

  /**
   * A service account with a fresh RSA-2048 key, as a key file. For an email already known, a
   * further key of the same account (same client id). Key files carry Google's real URLs.
   */
  createServiceAccount(
    options: { email?: string; projectId?: string } = {},
  ): ServiceAccountKeyFile {
    return this.#state.serviceAccounts.create({
      projectId: options.projectId ?? this.#projectId,
      ...(options.email !== undefined ? { email: options.email } : {}),
    });
  }

  /** `createServiceAccount` and write the key file (mode 0600) into `dir`. */
  async writeServiceAccountFile(
    dir: string,
    options: { email?: string; projectId?: string } = {},
  ): Promise<{ path: string; key: ServiceAccountKeyFile }> {
    const key = this.createServiceAccount(options);
    await mkdir(dir, { recursive: true });
    const local = key.client_email.split('@')[0] ?? 'service-account';
    const path = join(dir, `${local}-${key.private_key_id.slice(0, 8)}.json`);
    await writeFile(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
    return { path, key };
  }

  /** Lets the OAuth client id act as domain users for these scopes (cumulative). */
  grantDomainWideDelegation(clientId: string, scopes: string[]): void {
    this.#state.delegations.grant(clientId, scopes);
  }

  /** Adds a user (or updates the given fields of a known one). */
  addUser(user: {
    email: string;
    id?: string;
    emailVerified?: boolean;
    hostedDomain?: string;
    name?: string;
  }): EmulatedUser {
    return this.#state.users.add(user);
  }

  /**
   * An access token for a user (added if unknown) or a known service account, issued to
   * `clientId` for `scopes`, valid `expiresInSeconds` (default 3600; zero or less: already
   * expired).
   */
  issueAccessToken(options: {
    email: string;
    clientId: string;
    scopes: string[];
    expiresInSeconds?: number;
  }): string {
    const lifetime = options.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isFinite(lifetime)) throw new RangeError('expiresInSeconds must be finite');
    return this.#state.issueAccessToken({
      principal: this.#principal(options.email),
      clientId: options.clientId,
      scopes: options.scopes,
      source: 'issueAccessToken',
      lifetimeSeconds: lifetime,
    }).token;
  }

  /**
   * A Google ID token (RS256, current signing key) for a user (added if unknown) or a known
   * service account. `claims` override the standard ones; an `undefined` value removes a claim.
   */
  issueIdToken(options: {
    email: string;
    audience: string;
    authorizedParty?: string;
    expiresInSeconds?: number;
    claims?: Record<string, unknown>;
  }): string {
    const claims = this.#state.idTokenClaims({
      principal: this.#principal(options.email),
      audience: options.audience,
      ...(options.authorizedParty !== undefined
        ? { authorizedParty: options.authorizedParty }
        : {}),
      ...(options.expiresInSeconds !== undefined
        ? { lifetimeSeconds: options.expiresInSeconds }
        : {}),
    });
    return this.#state.signIdToken(withOverrides(claims, options.claims));
  }

  /** Revokes an access token the emulator issued (unknown tokens are ignored). */
  revokeToken(token: string): void {
    this.#state.tokens.revoke(token);
  }

  /**
   * Rotates Google's ID-token signing keys as Google does: the key published in the certs since
   * the last rotation starts signing, and a new next key is published. `abrupt`: a key never
   * published before signs at once instead (for verifiers that must refetch the certs). Either
   * way the previous key stays published for one more rotation.
   */
  rotateSigningKeys(options: { abrupt?: boolean } = {}): void {
    this.#state.signingKeys.rotate(options);
  }

  /** Rotates IAP's signing keys, as `rotateSigningKeys` does Google's. */
  rotateIapKeys(options: { abrupt?: boolean } = {}): void {
    this.#state.iapKeys.rotate(options);
  }

  /**
   * An Identity-Aware Proxy assertion (the `x-goog-iap-jwt-assertion` header) for a user (added
   * if unknown) or a known service account: ES256 with IAP's current key and its `kid`; `iss`
   * `https://cloud.google.com/iap`, `aud`, `sub` `accounts.google.com:<id>`, `email`, `hd` when the
   * user has one, `iat`, `exp` (default 600 s; zero or less: already expired). `claims` and
   * `header` override those (an `undefined` value removes one). `signedWith` makes bad ones:
   * `'unknownKey'` (ES256 by a key IAP never published, with its own `kid`), `'rs256'` (RS256 by
   * Google's current ID-token key, with that key's `kid`).
   */
  issueIapAssertion(options: {
    email: string;
    audience: string;
    expiresInSeconds?: number;
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    signedWith?: 'iap' | 'unknownKey' | 'rs256';
  }): string {
    const claims = this.#state.iapAssertionClaims({
      principal: this.#principal(options.email),
      audience: options.audience,
      ...(options.expiresInSeconds !== undefined
        ? { lifetimeSeconds: options.expiresInSeconds }
        : {}),
    });
    const signer =
      options.signedWith === 'rs256'
        ? rs256Signer(this.#state.signingKeys.current)
        : es256Signer(
            options.signedWith === 'unknownKey'
              ? createIapSigningKey()
              : this.#state.iapKeys.current,
          );
    return signJwt(withOverrides(claims, options.claims), signer, options.header);
  }

  /** Requests of `endpoint` since `start()` or the last `resetCounts()`, faulted ones included. */
  requestCount(endpoint: EmulatorEndpoint): number {
    return this.#recorder.count(endpoint);
  }

  /** The most recent requests (bounded), oldest first, of one endpoint or of all. */
  requests(endpoint?: EmulatorEndpoint): RecordedRequest[] {
    return this.#recorder.requests(endpoint);
  }

  /** Zeroes every count and forgets the recorded requests. */
  resetCounts(): void {
    this.#recorder.reset();
  }

  /** Makes the next `times` (default 1) requests of the endpoint fail with `fault`. */
  failNext(endpoint: EmulatorEndpoint, fault: EmulatorFault, times = 1): void {
    this.#faults.add(endpoint, fault, times);
  }

  #principal(email: string): Principal {
    return (
      this.#state.principalFor(email) ??
      this.#state.users.principal(this.#state.users.add({ email }))
    );
  }
}
