/**
 * Node's google-auth-library against GoogleOAuth2Emulator: each example of docs/emulator.md
 * (Node), run by test/e2e/conformance/node.e2e-spec.ts.
 */
import { gaxios, GoogleAuth, JWT, OAuth2Client, type IdTokenClient } from 'google-auth-library';
import type { GoogleOAuth2Emulator, ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';

const GOOGLE_HOSTS = [
  'oauth2.googleapis.com',
  'www.googleapis.com',
  'iamcredentials.googleapis.com',
  'openidconnect.googleapis.com',
  'www.gstatic.com',
];

/**
 * A transporter (google-auth-library's own gaxios) that sends requests for Google's hosts to the
 * emulator: same method, path, query, headers and body.
 */
export function emulatorTransporter(emulatorUrl: string): gaxios.Gaxios {
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (options) => {
      const url = new URL(String(options.url));
      if (GOOGLE_HOSTS.includes(url.hostname)) {
        options.url = new URL(url.pathname + url.search, emulatorUrl); // a URL, as gaxios 7 wants
      }
      return options;
    },
  });
  return transporter;
}

/** A service account's access token, as a domain user when `subject` is given. */
export async function serviceAccountToken(
  emulator: GoogleOAuth2Emulator,
  key: ServiceAccountKeyFile,
  scopes: string[],
  subject?: string,
): Promise<string | null | undefined> {
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    scopes,
    ...(subject !== undefined ? { subject } : {}),
    transporter: emulatorTransporter(emulator.url),
  });
  const { token } = await client.getAccessToken();
  return token;
}

/** An ID-token client for calling a service at `audience`, signed for by the key's account. */
export function idTokenClientWithKey(
  emulator: GoogleOAuth2Emulator,
  key: ServiceAccountKeyFile,
  audience: string,
): Promise<IdTokenClient> {
  const auth = new GoogleAuth({
    credentials: key,
    clientOptions: { transporter: emulatorTransporter(emulator.url) },
  });
  return auth.getIdTokenClient(audience);
}

/**
 * Application Default Credentials on the emulator's metadata server: an access token and an
 * ID-token client for `audience`, both for the default service account. GCE_METADATA_HOST must
 * hold `emulator.metadataHost` (and GOOGLE_APPLICATION_CREDENTIALS be unset).
 */
export async function onTheMetadataServer(
  audience: string,
): Promise<{ accessToken: string | null | undefined; idTokenClient: IdTokenClient }> {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const accessToken = await auth.getAccessToken();
  return { accessToken, idTokenClient: await auth.getIdTokenClient(audience) };
}

/** Checks a Google ID token against the emulator's certs, as a receiving service does. */
export async function verifyIdToken(
  emulator: GoogleOAuth2Emulator,
  idToken: string,
  audience: string,
): Promise<Record<string, unknown> | undefined> {
  const verifier = new OAuth2Client({
    endpoints: { oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs` },
  });
  const ticket = await verifier.verifyIdToken({ idToken, audience });
  return ticket.getPayload() as Record<string, unknown> | undefined;
}
