// What an interrupted run of the real-cluster suite would leave on the machine besides the node
// (which its watcher tears down): buildah working containers of an image build cut short, and
// the test file's temp dirs. Cleaned twice: at exit, by one signal handler that runs every
// registered cleanup before the process exits (onInterrupt), and at the next start, for a run
// killed outright (cleanLeftovers: records of dead processes, containers in the shared store).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildah, lockStore } from '../../support/image.js';

const runsDir = (): string =>
  join(process.env.CGKS_CLUSTER_CACHE || join(process.env.HOME ?? '/root', '.cache', 'create-go-k8s-service', 'cluster'), 'runs');

/** Records DIR as this process's temp dir, removed at the next start if this process dies first. */
export function trackTempDir(dir: string): void {
  mkdirSync(runsDir(), { recursive: true });
  appendFileSync(join(runsDir(), String(process.pid)), `${dir}\n`);
}

/** Forgets this process's record (its dirs were removed). */
export function forgetTempDirs(): void {
  rmSync(join(runsDir(), String(process.pid)), { force: true });
}

/** The records of processes no longer alive: pid → dirs. */
export function staleRecords(records: Record<string, string[]>, alive: (pid: number) => boolean): Record<string, string[]> {
  return Object.fromEntries(Object.entries(records).filter(([pid]) => /^\d+$/.test(pid) && !alive(Number(pid))));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Directories with a mount under them are the node's (its teardown unmounts them): not removed here. */
const hasMounts = (dir: string): boolean =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => {
      const m = l.split(' ')[4] ?? '';
      return m === dir || m.startsWith(`${dir}/`);
    });

/** Removes the temp dirs of dead runs; returns what it removed. */
export function removeStaleTempDirs(): string[] {
  if (!existsSync(runsDir())) return [];
  const records = Object.fromEntries(
    readdirSync(runsDir()).map((pid) => [pid, readFileSync(join(runsDir(), pid), 'utf8').split('\n').filter(Boolean)]),
  );
  const removed: string[] = [];
  for (const [pid, dirs] of Object.entries(staleRecords(records, alive))) {
    let kept = false;
    for (const d of dirs) {
      if (!existsSync(d)) continue;
      if (hasMounts(d)) {
        kept = true;
        continue;
      }
      rmSync(d, { recursive: true, force: true });
      removed.push(d);
    }
    if (!kept) rmSync(join(runsDir(), pid), { force: true });
  }
  return removed;
}

/**
 * Removes every buildah working container of the shared store. Only under the store lock, which
 * every build holds throughout (the image tests, the bench, the suite): a container seen then is
 * a cut-short build's. Returns how many it removed.
 */
export async function removeWorkingContainers(): Promise<number> {
  const release = await lockStore();
  try {
    const list = await buildah(['containers', '--quiet', '--notruncate']);
    const ids = list.stdout.split('\n').filter(Boolean);
    if (ids.length) await buildah(['rm', ...ids]);
    return ids.length;
  } finally {
    release();
  }
}

/** At a start: what dead runs left (temp dirs, working containers). */
export async function cleanLeftovers(say: (line: string) => void = () => {}): Promise<void> {
  const dirs = removeStaleTempDirs();
  const containers = await removeWorkingContainers();
  if (dirs.length || containers)
    say(`removed what an interrupted run left: ${dirs.length} temp dir(s), ${containers} buildah working container(s)`);
}

// ---- one handler for SIGINT and SIGTERM ---------------------------------------------------------

const cleanups: (() => Promise<void> | void)[] = [];
let installed = false;
let exiting = false;

/**
 * Registers FN to run when SIGINT or SIGTERM arrives; the handler runs every registered cleanup,
 * latest first, then exits (130 for SIGINT, 143 for SIGTERM). Returns a function that unregisters FN.
 */
export function onInterrupt(fn: () => Promise<void> | void): () => void {
  cleanups.push(fn);
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.on(sig, () => {
        if (exiting) return;
        exiting = true;
        process.stderr.write(`${sig}: cleaning up\n`);
        void (async () => {
          for (const c of [...cleanups].reverse()) {
            try {
              await c();
            } catch (e) {
              process.stderr.write(`cleanup failed: ${(e as Error).message}\n`);
            }
          }
          process.exit(sig === 'SIGINT' ? 130 : 143);
        })();
      });
    }
  }
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}
