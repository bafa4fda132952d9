/**
 * Whether the servers the tests start can be started here: redis-server, memcached and the Cloud
 * Datastore emulator (java plus the Cloud SDK's script), and what to install when one is missing.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { ServerKind } from './servers.js';

function findOnPath(command: string): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const EMULATOR_SUBPATH = join('platform', 'cloud-datastore-emulator', 'cloud_datastore_emulator');
let datastoreEmulatorPath: string | null | undefined;

/**
 * The Cloud SDK's `cloud_datastore_emulator` script (what `gcloud beta emulators datastore start`
 * runs; starting it directly saves gcloud's own ~1.5 s). Looked for under CLOUDSDK_ROOT_DIR, beside
 * the `gcloud` on PATH, and last under `gcloud info`'s SDK root (slow, so the answer is cached).
 */
export function findDatastoreEmulator(): string | undefined {
  if (datastoreEmulatorPath !== undefined) return datastoreEmulatorPath ?? undefined;
  const roots: string[] = [];
  if (process.env.CLOUDSDK_ROOT_DIR) roots.push(process.env.CLOUDSDK_ROOT_DIR);
  const gcloud = findOnPath('gcloud');
  if (gcloud) {
    roots.push(dirname(dirname(realpathSync(gcloud))));
  }
  let found = roots.map((root) => join(root, EMULATOR_SUBPATH)).find((file) => existsSync(file));
  if (!found && gcloud) {
    const info = spawnSync(gcloud, ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const root = info.stdout?.trim();
    if (root && existsSync(join(root, EMULATOR_SUBPATH))) found = join(root, EMULATOR_SUBPATH);
  }
  datastoreEmulatorPath = found ?? null;
  return found;
}

/** True when the binary that starts a server of this kind is on this machine. */
export function serverBinaryAvailable(kind: ServerKind): boolean {
  switch (kind) {
    case 'redis':
      return findOnPath('redis-server') !== undefined;
    case 'memcached':
      return findOnPath('memcached') !== undefined;
    case 'datastore':
      return (
        findOnPath(process.env.JAVA ?? 'java') !== undefined &&
        findDatastoreEmulator() !== undefined
      );
  }
}

/** What to install when a server is missing. */
export const MISSING: Record<ServerKind, string> = {
  redis: 'redis-server is not on PATH (Debian package redis-server)',
  memcached: 'memcached is not on PATH (Debian package memcached)',
  datastore:
    'the Cloud Datastore emulator is not available: it needs java on PATH and the Cloud SDK with ' +
    'platform/cloud-datastore-emulator (package google-cloud-cli-datastore-emulator)',
};
