import type { ServiceAccountKeyFile } from '../types.js';
import { certificatePem, generateRsaKey, privateKeyPem, type RsaKey } from '../keys.js';
import { emailKey, isEmail, numericId, shortHex } from './ids.js';
import type { Principal } from './principal.js';

/** A service account and the keys it has been given (each `createServiceAccount` call adds one). */
export interface ServiceAccountRecord {
  email: string;
  /** The OAuth2 client id / unique id (numeric). */
  clientId: string;
  projectId: string;
  keys: RsaKey[];
}

const GOOGLE_AUTH_URI = 'https://accounts.google.com/o/oauth2/auth';
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const GOOGLE_CERTS_URI = 'https://www.googleapis.com/oauth2/v1/certs';
const ROBOT_CERTS_URI = 'https://www.googleapis.com/robot/v1/metadata/x509/';

/** The service accounts the emulator knows, by email and by unique id. */
export class ServiceAccounts {
  readonly #byEmail = new Map<string, ServiceAccountRecord>();
  readonly #certificates = new Map<string, string>();

  /**
   * Creates the account (or, for an email already known, a further key of it) and returns its
   * key file. Key files carry Google's real URLs, as downloaded ones do.
   */
  create(options: { email?: string; projectId: string }): ServiceAccountKeyFile {
    const email = options.email ?? `sa-${shortHex()}@${options.projectId}.iam.gserviceaccount.com`;
    if (!isEmail(email)) throw new TypeError(`createServiceAccount: not an email: ${email}`);
    let account = this.#byEmail.get(emailKey(email));
    if (!account) {
      account = { email, clientId: numericId(21), projectId: options.projectId, keys: [] };
      this.#byEmail.set(emailKey(email), account);
    }
    const key = generateRsaKey();
    account.keys.push(key);
    return {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: key.kid,
      private_key: privateKeyPem(key),
      client_email: account.email,
      client_id: account.clientId,
      auth_uri: GOOGLE_AUTH_URI,
      token_uri: GOOGLE_TOKEN_URI,
      auth_provider_x509_cert_url: GOOGLE_CERTS_URI,
      client_x509_cert_url: ROBOT_CERTS_URI + encodeURIComponent(account.email),
      universe_domain: 'googleapis.com',
    };
  }

  /** By email (case-insensitive) or by unique id, as IAM resource names allow. */
  find(emailOrId: string): ServiceAccountRecord | undefined {
    const byEmail = this.#byEmail.get(emailKey(emailOrId));
    if (byEmail) return byEmail;
    for (const account of this.#byEmail.values()) {
      if (account.clientId === emailOrId) return account;
    }
    return undefined;
  }

  principal(account: ServiceAccountRecord): Principal {
    return {
      kind: 'serviceAccount',
      email: account.email,
      id: account.clientId,
      emailVerified: true,
    };
  }

  /** The self-signed certificate of one of the account's keys (made once, then kept). */
  certificate(account: ServiceAccountRecord, key: RsaKey, nowMs: number): string {
    let pem = this.#certificates.get(key.kid);
    if (!pem) {
      pem = certificatePem(key, account.email, nowMs, 3650);
      this.#certificates.set(key.kid, pem);
    }
    return pem;
  }
}
