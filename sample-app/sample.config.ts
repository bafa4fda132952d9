import { registerAs } from '@nestjs/config';

/** `GOOGLE_EMULATOR`: `on`, `off`, or unset (`auto`: the emulator unless real credentials are configured). */
export type EmulatorSetting = 'on' | 'off' | 'auto';

/** The sample app's settings, read from environment variables (see README.md, "Try it"). */
export interface SampleConfig {
  /** `PORT`: where the app listens. Default 3000. */
  port: number;
  /** `GOOGLE_EMULATOR`. */
  emulator: EmulatorSetting;
  /** `EMULATOR_PORT`: where the built-in emulator listens. Default 0: a free port. */
  emulatorPort: number;
  /** `SERVICE_ACCOUNT_KEY_FILE`: a service-account JSON key file, passed to the module. */
  serviceAccountKeyFile?: string;
  /**
   * `GOOGLE_APPLICATION_CREDENTIALS`: the library reads it itself (Application Default
   * Credentials); the sample only looks at it to tell whether real credentials are configured.
   */
  applicationCredentials?: string;
  /** `OAUTH_CLIENT_IDS`: comma-separated OAuth client ids whose callers' tokens are accepted. */
  oauthClientIds: string[];
  /** `REDIS_URL`: keep minted tokens in Redis, shared by every instance. Unset: in memory. */
  redisUrl?: string;
  /**
   * `SERVICE_AUDIENCE`: this service's audience for other services' ID tokens (on Cloud Run,
   * its URL). Default `http://localhost:PORT`.
   */
  serviceAudience: string;
  /**
   * `CALLER_SERVICE_ACCOUNTS`: comma-separated service accounts that may call the
   * service-account routes. Emulator mode adds the demo service account.
   */
  callerServiceAccounts: string[];
}

export function readSampleConfig(env: NodeJS.ProcessEnv): SampleConfig {
  const port = readPort(env, 'PORT', 3000);
  return {
    port,
    emulator: readEmulatorSetting(env.GOOGLE_EMULATOR),
    emulatorPort: readPort(env, 'EMULATOR_PORT', 0),
    serviceAccountKeyFile: nonEmpty(env.SERVICE_ACCOUNT_KEY_FILE),
    applicationCredentials: nonEmpty(env.GOOGLE_APPLICATION_CREDENTIALS),
    oauthClientIds: list(env.OAUTH_CLIENT_IDS),
    redisUrl: nonEmpty(env.REDIS_URL),
    serviceAudience: nonEmpty(env.SERVICE_AUDIENCE) ?? `http://localhost:${port}`,
    callerServiceAccounts: list(env.CALLER_SERVICE_ACCOUNTS),
  };
}

/**
 * `@Inject(sampleConfig.KEY) config: SampleConfig` anywhere in the app (`ConfigModule` is
 * global). Read when the app boots, so a bad value fails the boot with a message naming it.
 */
export const sampleConfig = registerAs('sample', (): SampleConfig => readSampleConfig(process.env));

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`${name} must be a port number (0-65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

function readEmulatorSetting(raw: string | undefined): EmulatorSetting {
  const value = nonEmpty(raw)?.toLowerCase() ?? 'auto';
  if (value === 'on' || value === 'off' || value === 'auto') return value;
  throw new Error(
    `GOOGLE_EMULATOR must be "on", "off" or unset (auto), not ${JSON.stringify(raw)}`,
  );
}

/** A comma-separated list, without blanks. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
