/**
 * Each server runs as the leader of a process group of its own under a small bash guard, so that
 * stopping it stops its children (the Datastore emulator's JVM) and a test process that dies, even
 * by SIGKILL, leaves no server behind.
 */
import { rmSync } from 'node:fs';

/**
 * Runs "$@" (the server) as the leader of a new process group, with a watcher in the same group
 * that kills the group when stdin — a pipe from this process — reaches EOF: when this process
 * closes it or dies. The server itself gets /dev/null as stdin.
 */
export const GUARD = [
  'exec 3<&0 </dev/null',
  '( cat <&3 >/dev/null 2>&1; kill -KILL -- -$$ ) >/dev/null 2>&1 &',
  'exec "$@" 3<&-',
].join('\n');

/** Process groups started and not yet stopped, with their temporary directories. */
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

/** Signals every process of the group; a group that is gone already is no error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Remembers a started group, so that it is killed (and its directory removed) when this process exits. */
export function trackGroup(pgid: number, tempDir: string): void {
  liveGroups.set(pgid, tempDir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [group, dir] of liveGroups) {
        killGroup(group, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

/** Forgets a group that was stopped. */
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
