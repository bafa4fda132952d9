/** Booting the sample app in-process, with its environment under the test's control. */
import { afterAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createSampleApp } from '../../../sample-app/app.js';

/** Every variable the sample reads: set for each app, so that the machine's own do not leak in. */
const SAMPLE_ENV = [
  'PORT',
  'GOOGLE_EMULATOR',
  'EMULATOR_PORT',
  'SERVICE_ACCOUNT_KEY_FILE',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'OAUTH_CLIENT_IDS',
  'REDIS_URL',
  'SERVICE_AUDIENCE',
  'CALLER_SERVICE_ACCOUNTS',
] as const;

export type SampleEnv = Partial<Record<(typeof SAMPLE_ENV)[number], string>>;

/** Restores the sample's variables after the file's tests; call once at the top of a file. */
export function restoreSampleEnvAfterAll(): void {
  const saved = Object.fromEntries(SAMPLE_ENV.map((name) => [name, process.env[name]]));
  afterAll(() => setEnv(saved));
}

function setEnv(env: SampleEnv): void {
  for (const name of SAMPLE_ENV) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
}

/** The sample app as main.ts builds it, with exactly `env`; initialized, not listening on PORT. */
export async function bootSampleApp(env: SampleEnv = {}): Promise<INestApplication> {
  setEnv(env);
  const app = await createSampleApp({ logger: false, abortOnError: false });
  await app.init();
  return app;
}
