/**
 * `npm run emulator`: GoogleOAuth2Emulator on a fixed port (EMULATOR_PORT, default 8089), with a
 * service-account key file in a temp dir and a ready-made user access token, until Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleOAuth2Emulator } from './emulator/index.js';

const DEFAULT_PORT = 8089;
const DEMO_USER = 'user@example.com';
const DEMO_CLIENT_ID = 'emulator-client.apps.googleusercontent.com';

function portFromEnv(): number {
  const raw = process.env.EMULATOR_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`EMULATOR_PORT must be a port number, got ${JSON.stringify(raw)}`);
  }
  return port;
}

async function main(): Promise<void> {
  const emulator = new GoogleOAuth2Emulator();
  await emulator.start({ port: portFromEnv() });
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
  console.error('GoogleOAuth2Emulator failed to start:', error);
  process.exit(1);
});
