import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DEFAULT_GOOGLE_URLS, type GoogleUrls, type ServiceAccountKey } from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import type { SampleConfig } from '../sample.config.js';
import { CALENDAR_READONLY } from '../scopes.js';

/** The demo user, service account and client that emulator mode sets up. */
export const DEMO_USER = 'demo@example.com';
export const DEMO_CLIENT_ID = 'sample-app-demo.apps.googleusercontent.com';
export const DEMO_SERVICE_ACCOUNT = 'sample-app@emulator-project.iam.gserviceaccount.com';
/** The scope the service account may use as a domain user (domain-wide delegation). */
export const DEMO_DELEGATED_SCOPE = CALENDAR_READONLY;

/** What emulator mode prepared so that every route can be tried at once. */
export interface DemoSetup {
  user: string;
  clientId: string;
  /** A fake token that only the built-in emulator knows: `openid email`, valid one hour. */
  accessToken: string;
  serviceAccount: string;
  delegatedScope: string;
}

/**
 * Which Google the app talks to: the real one, or the built-in `GoogleOAuth2Emulator` when no
 * real credentials are configured (`GOOGLE_EMULATOR`, see `sample.config.ts`). It gives
 * `OAuth2Module` its `serviceAccount` and `google` options, and the controllers the `rootUrl`
 * of the googleapis clients.
 *
 * Emulator mode is for trying the library on a laptop: nothing leaves the machine, and every
 * token in it is fake.
 */
export class GoogleBackend implements OnApplicationShutdown {
  private constructor(
    readonly mode: 'emulator' | 'google',
    /** `OAuth2Module`'s `serviceAccount` option; undefined: Application Default Credentials. */
    readonly serviceAccount: ServiceAccountKey | string | undefined,
    /** `OAuth2Module`'s `google` option; undefined: Google's own URLs. */
    readonly urls: GoogleUrls | undefined,
    /** OAuth client ids whose callers' tokens are accepted. */
    readonly allowedClientIds: string[],
    /** Service accounts that may call the service-account routes (`@AllowServiceAccounts`). */
    readonly callerServiceAccounts: string[],
    readonly demo?: DemoSetup,
    private readonly emulator?: GoogleOAuth2Emulator,
  ) {}

  /** Google's REST API root (`rootUrl` of `@googleapis/*` clients). */
  get apiRoot(): string {
    return (this.urls ?? DEFAULT_GOOGLE_URLS).apiRoot;
  }

  /** `http://127.0.0.1:PORT` of the built-in emulator; undefined with the real Google. */
  get emulatorUrl(): string | undefined {
    return this.emulator?.url;
  }

  /** Decides, and in emulator mode starts the emulator and sets up the demo. */
  static async connect(config: SampleConfig): Promise<GoogleBackend> {
    const logger = new Logger('GoogleBackend');
    const realCredentials = config.serviceAccountKeyFile ?? config.applicationCredentials;
    const useEmulator =
      config.emulator === 'on' || (config.emulator === 'auto' && !realCredentials);
    if (!useEmulator) {
      return new GoogleBackend(
        'google',
        config.serviceAccountKeyFile, // else the library reads GOOGLE_APPLICATION_CREDENTIALS
        undefined,
        config.oauthClientIds,
        config.callerServiceAccounts,
      );
    }
    if (realCredentials) {
      logger.warn('GOOGLE_EMULATOR=on: the configured credentials are not used');
    }

    const emulator = new GoogleOAuth2Emulator();
    await emulator.start({ port: config.emulatorPort });
    const key = emulator.createServiceAccount({ email: DEMO_SERVICE_ACCOUNT });
    emulator.addUser({ email: DEMO_USER, name: 'Demo User' });
    // What a Workspace admin does in the Admin console: the service account may act as domain
    // users, for this scope only.
    emulator.grantDomainWideDelegation(key.client_id, [DEMO_DELEGATED_SCOPE]);
    // The demo token is issued to the first allowed client (OAUTH_CLIENT_IDS), else to the demo one.
    const allowedClientIds = config.oauthClientIds.length
      ? config.oauthClientIds
      : [DEMO_CLIENT_ID];
    const clientId = allowedClientIds[0]!;
    const accessToken = emulator.issueAccessToken({
      email: DEMO_USER,
      clientId,
      scopes: ['openid', 'email'],
    });
    return new GoogleBackend(
      'emulator',
      key,
      emulator.urls,
      allowedClientIds,
      // The demo service account calls the app itself (`/service-to-service/call`).
      [...new Set([...config.callerServiceAccounts, key.client_email])],
      {
        user: DEMO_USER,
        clientId,
        accessToken,
        serviceAccount: key.client_email,
        delegatedScope: DEMO_DELEGATED_SCOPE,
      },
      emulator,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.emulator?.stop();
  }
}
