import type { GoogleBackend } from './google/google-backend.js';
import { CALENDAR_READONLY, CLOUD_PLATFORM, DRIVE } from './scopes.js';

/** One request to try, printed as a curl command. */
export interface TryItRequest {
  /** What it shows. */
  what: string;
  /** Path and query, e.g. `/me`. */
  path: string;
  /** The bearer token to send, if any (`$TOKEN` when the app talks to the real Google). */
  bearer?: string;
}

export interface StartupMessage {
  level: 'log' | 'warn';
  message: string;
}

/** The requests printed at boot: one or more for every route. */
export function tryItRequests(google: GoogleBackend): TryItRequest[] {
  const bearer = google.demo?.accessToken ?? '$TOKEN';
  const user = google.demo?.user ?? 'someone@your-domain.example';
  const delegated = google.demo?.delegatedScope ?? CALENDAR_READONLY;
  return [
    { what: 'liveness, and which Google the app talks to', path: '/' },
    { what: "userinfo called as the caller, with the caller's token", path: '/me', bearer },
    { what: 'no token: 401 with a WWW-Authenticate challenge', path: '/me' },
    {
      what: "the caller's credentials (the token is not in them)",
      path: '/me/credentials',
      bearer,
    },
    {
      what: "a token minted for the app's service account: its expiry, never the token",
      path: `/service-account/token?scope=${CLOUD_PLATFORM}`,
    },
    {
      what: `as ${user}, through domain-wide delegation`,
      path: `/service-account/token?scope=${delegated}&user=${user}`,
    },
    {
      what: 'a scope the admin did not delegate: 502 with Google\'s "unauthorized_client"',
      path: `/service-account/token?scope=${DRIVE}&user=${user}`,
    },
    {
      what: "a googleapis client on the service account's credentials",
      path: '/service-account/userinfo',
    },
    {
      what: 'the app calls its own /service-to-service/whoami with an ID token of its service account',
      path: '/service-to-service/call',
    },
    {
      what: "a user's token on a route for service accounts only: 403",
      path: '/service-to-service/whoami',
      bearer,
    },
  ];
}

export function curlCommand(baseUrl: string, request: TryItRequest): string {
  const auth = request.bearer === undefined ? '' : ` -H "Authorization: Bearer ${request.bearer}"`;
  const verbose = request.bearer === undefined && request.path === '/me' ? ' -i' : '';
  return `curl -s${verbose}${auth} '${baseUrl}${request.path}'`;
}

/** What `main.ts` logs once the app listens on `baseUrl`. */
export function tryIt(google: GoogleBackend, baseUrl: string): StartupMessage[] {
  const commands = tryItRequests(google)
    .map((request) => `  # ${request.what}\n  ${curlCommand(baseUrl, request)}`)
    .join('\n');
  const { demo } = google;
  if (google.mode === 'emulator' && demo) {
    return [
      {
        level: 'warn',
        message:
          `Running against the BUILT-IN GOOGLE EMULATOR at ${google.emulatorUrl}, not Google: ` +
          'every token here is fake. Set GOOGLE_APPLICATION_CREDENTIALS or ' +
          'SERVICE_ACCOUNT_KEY_FILE (or GOOGLE_EMULATOR=off) to use Google.',
      },
      {
        level: 'log',
        message:
          `Demo access token for ${demo.user} (client ${demo.clientId}, scopes openid email, ` +
          'valid 1 h; restart for a new one). A fake token issued by the emulator, accepted ' +
          `nowhere else:\n  ${demo.accessToken}`,
      },
      {
        level: 'log',
        message:
          `Service account ${demo.serviceAccount}, allowed to act as domain users for ` +
          `${demo.delegatedScope} only. Try it:\n${commands}`,
      },
    ];
  }
  const clients = google.allowedClientIds.length
    ? `issued to ${google.allowedClientIds.join(', ')}`
    : 'none accepted until OAUTH_CLIENT_IDS is set';
  return [
    {
      level: 'log',
      message:
        `Talking to Google; service account from ${google.serviceAccount ?? 'Application Default Credentials'}. ` +
        `Callers' tokens: ${clients}.`,
    },
    {
      level: 'log',
      message:
        'Try it, with TOKEN a Google access token (userinfo.email scope) issued to one of ' +
        `OAUTH_CLIENT_IDS:\n${commands}`,
    },
  ];
}
