/**
 * A user's app, as the user-side test (user-app.e2e-spec.ts) builds it twice from the packed
 * tarball: once as an ES module package, once as a CommonJS one (the same file; the folder's
 * package.json "type" decides). It imports only package names, as an app does, compiles with
 * `strict` and `skipLibCheck: false`, and installs neither optional peer (cache-manager,
 * @google-cloud/datastore). Run, it starts the emulator, boots on a free port, calls itself,
 * prints one JSON line of what it saw, and exits.
 */
// oxlint-disable-next-line import/no-unassigned-import -- Nest's decorators need it loaded first
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { oauth2 } from '@googleapis/oauth2';
import {
  GoogleUserCredentials,
  InjectCredentials,
  OAuth2Module,
  Scopes,
  ServiceAccountCredentialsFactory,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

const CLIENT_ID = 'user-app.apps.googleusercontent.com';
const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const USER = 'alice@example.com';

/** What the app saw, printed as one JSON line for the test to read. */
export interface UserAppReport {
  moduleSystem: 'commonjs' | 'esm';
  node: string;
  anonymous: { status: number; challenge: string | null };
  caller: { status: number; body: unknown };
  serviceAccount: { status: number; body: unknown; clientEmail: string };
}

async function main(): Promise<UserAppReport> {
  const emulator = await new GoogleOAuth2Emulator().start();
  const key = emulator.createServiceAccount();
  const apiRoot = emulator.urls.apiRoot;

  @Controller()
  class AppController {
    constructor(private readonly credentials: ServiceAccountCredentialsFactory) {}

    /** The caller's token, checked by the guard, calls Google as the caller. */
    @Get('me')
    @Scopes(USERINFO_EMAIL)
    async me(@InjectCredentials() creds: GoogleUserCredentials) {
      const client = oauth2({ version: 'v2', auth: creds.authClient, rootUrl: apiRoot });
      const { data } = await client.userinfo.get();
      return { email: data.email };
    }

    /** A service-account client as the `auth` of a googleapis client. */
    @Get('service-account')
    async serviceAccount() {
      const auth = this.credentials.build(USERINFO_EMAIL);
      const client = oauth2({ version: 'v2', auth, rootUrl: apiRoot });
      const { data } = await client.userinfo.get();
      return { email: data.email };
    }
  }

  @Module({
    imports: [
      OAuth2Module.forRoot({
        serviceAccount: key,
        google: emulator.urls,
        endpoints: { allowedClientIds: [CLIENT_ID] },
      }),
    ],
    controllers: [AppController],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  try {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const token = emulator.issueAccessToken({
      email: USER,
      clientId: CLIENT_ID,
      scopes: ['openid', USERINFO_EMAIL],
    });
    const anonymous = await fetch(`${base}/me`);
    const caller = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    const serviceAccount = await fetch(`${base}/service-account`);
    return {
      moduleSystem: typeof require === 'function' ? 'commonjs' : 'esm',
      node: process.version,
      anonymous: {
        status: anonymous.status,
        challenge: anonymous.headers.get('www-authenticate'),
      },
      caller: { status: caller.status, body: await caller.json() },
      serviceAccount: {
        status: serviceAccount.status,
        body: await serviceAccount.json(),
        clientEmail: key.client_email,
      },
    };
  } finally {
    await app.close();
    await emulator.stop();
  }
}

main().then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
