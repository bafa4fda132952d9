#!/usr/bin/env node
/**
 * The `google-oauth2-emulator` command (`npx google-oauth2-emulator`, `npm run emulator` here):
 * GoogleOAuth2Emulator on a fixed port (`--port`, else EMULATOR_PORT, else 8089), with a
 * service-account key file in a temp dir and a ready-made user access token, until Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GoogleOAuth2Emulator } from './emulator/index.js';

const DEFAULT_PORT = 8089;
const DEMO_USER = 'user@example.com';
const DEMO_CLIENT_ID = 'emulator-client.apps.googleusercontent.com';

const USAGE = `Usage: google-oauth2-emulator [--port N]

Runs GoogleOAuth2Emulator, an offline stand-in for Google's OAuth2 endpoints, on 127.0.0.1 until
Ctrl-C, and prints its URLs, a service-account key file and tokens to try.

  --port N, -p N   the port (default: $EMULATOR_PORT, else ${DEFAULT_PORT}; 0 picks a free one)
  --help, -h       this text
`;

/** A command-line mistake: printed without a stack, exit code 2. */
class UsageError extends Error {}

function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `${source} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return port;
}

/** The port to listen on, and where it was given (for messages). */
function chosenPort(argv: string[]): { port: number; source: string } | 'help' {
  let values: { port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.port !== undefined)
    return { port: parsePort(values.port, '--port'), source: '--port' };
  const env = process.env.EMULATOR_PORT;
  if (env !== undefined && env !== '') {
    return { port: parsePort(env, 'EMULATOR_PORT'), source: 'EMULATOR_PORT' };
  }
  return { port: DEFAULT_PORT, source: 'the default port' };
}

/** Starts the emulator; a taken port is a message that says how to pick another one. */
async function startOn(port: number, source: string): Promise<GoogleOAuth2Emulator> {
  const emulator = new GoogleOAuth2Emulator();
  try {
    return await emulator.start({ port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${port} (${source}) is already in use on 127.0.0.1. Choose another with ` +
          `--port N or EMULATOR_PORT=N (0 picks a free port).`,
      );
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const choice = chosenPort(process.argv.slice(2));
  if (choice === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startOn(choice.port, choice.source);
  const dir = await mkdtemp(join(tmpdir(), 'google-oauth2-emulator-'));
  const { path, key } = await emulator.writeServiceAccountFile(dir);
  emulator.addUser({ email: DEMO_USER, name: 'Example User' });
  const accessToken = emulator.issueAccessToken({
    email: DEMO_USER,
    clientId: DEMO_CLIENT_ID,
    scopes: ['openid', 'email', 'profile'],
  });
  const idToken = emulator.issueIdToken({ email: DEMO_USER, audience: DEMO_CLIENT_ID });
  const urls = Object.entries(emulator.urls)
    .map(([name, url]) => `  ${name.padEnd(15)} ${url}`)
    .join('\n');

  process.stdout.write(
    [
      `GoogleOAuth2Emulator listening on ${emulator.url}`,
      '',
      'URLs (OAuth2Module google: { ... }):',
      urls,
      '',
      `Service-account key file: ${path}`,
      `  client_email ${key.client_email}`,
      `  client_id    ${key.client_id}`,
      `Metadata server (identity ${emulator.defaultServiceAccount.client_email}):`,
      `  GCE_METADATA_HOST=${emulator.metadataHost} GCE_METADATA_ROOT=${emulator.metadataHost} GCE_METADATA_IP=${emulator.metadataHost}`,
      '  (Node and Go read GCE_METADATA_HOST; Python google-auth 1.x GCE_METADATA_ROOT, later ones',
      '  GCE_METADATA_HOST; its ping GCE_METADATA_IP. See docs/emulator.md.)',
      '',
      `Access token for ${DEMO_USER} (client ${DEMO_CLIENT_ID}, scopes openid email profile, 1 h):`,
      `  ${accessToken}`,
      `ID token for ${DEMO_USER} (aud ${DEMO_CLIENT_ID}, 1 h):`,
      `  ${idToken}`,
      '',
      'Try:',
      `  curl -s '${emulator.urls.tokenInfo}?access_token=${accessToken}'`,
      `  curl -s -H 'Authorization: Bearer ${accessToken}' ${emulator.url}/oauth2/v2/userinfo`,
      `  curl -s -H 'Metadata-Flavor: Google' ${emulator.url}/computeMetadata/v1/instance/service-accounts/default/token`,
      `  curl -s -H 'Metadata-Flavor: Google' '${emulator.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://example.com&format=full'`,
      `  curl -s ${emulator.urls.iapPublicKeys}`,
      '',
      'Ctrl-C to stop (the key file is deleted).',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the emulator\n`);
    void Promise.all([emulator.stop(), rm(dir, { recursive: true, force: true })]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`google-oauth2-emulator: ${error.message}`);
    process.exit(2);
  }
  console.error('GoogleOAuth2Emulator failed to start:', error);
  process.exit(1);
});
