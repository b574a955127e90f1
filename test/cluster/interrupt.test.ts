// An interrupted run leaves nothing behind: `tsx test/run.ts` running a cluster file (the fixture
// test/cluster/fixtures/interrupt) gets SIGINT on its process group, as from Ctrl-C, while the
// file's image build runs (a buildah working container exists): afterwards no working container is
// left in the store and no temp dir in the run's TMPDIR. The same run killed outright (SIGKILL:
// no handler runs) does leave them, and the next start removes them (cleanLeftovers).
// test-budget: 1200 s (two image builds cut short, each after its go build step has started)
// test-tools: helm crds
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildah } from '../support/image.js';
import { mustRunHere } from '../support/skip.js';
import { cleanLeftovers } from './support/leftovers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const canRun = process.platform === 'linux' && process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const containers = async () => (await buildah(['containers', '--quiet', '--notruncate'])).stdout.split('\n').filter(Boolean);

/** Starts the fixture through test/run.ts in a process group of its own, with TMPDIR of its own. */
function startRun(tmp: string, tag: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'run.ts'), '--dir=test/cluster/fixtures/interrupt'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: tmp, TEST_SKIP_PROVISION: '1', TEST_VERBOSE: '1', CGKS_CLUSTER_IMAGE_TAG: tag },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code, sig) => ok(code ?? (sig ? 128 : null))));
  return { child, output: () => out, exited };
}

/** Waits (bounded) until a buildah working container exists: the build is under way. */
async function untilBuilding(run: ReturnType<typeof startRun>): Promise<void> {
  let done = false;
  void run.exited.then(() => (done = true));
  for (let i = 0; i < 3000; i++) {
    if (done) assert.unreachable(`the run ended before its build started:\n${run.output().slice(-3000)}`);
    if ((await containers()).length > 0) return;
    await sleep(200);
  }
  assert.unreachable(`no working container within 600 s:\n${run.output().slice(-3000)}`);
}

/** Pids whose parent is PID. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const tempDirs = (tmp: string) => readdirSync(tmp).filter((f) => f.startsWith('cgks-'));

if (!canRun) {
  mustRunHere('the interrupted run', `needs root on Linux (this is ${process.platform}, uid ${process.getuid?.()})`);
} else {
  test.before(async () => {
    await cleanLeftovers();
    assert.equal(await containers(), [], 'the store has working containers before the test');
  });

  test('SIGINT to the process group mid-build: no working container, no temp dir left', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cgks-interrupt-'));
    try {
      const run = startRun(tmp, `interrupt-${Date.now()}`);
      await untilBuilding(run);
      const seen = await containers();
      process.kill(-run.child.pid!, 'SIGINT');
      const code = await Promise.race([run.exited, sleep(300_000).then(() => 'still running')]);
      assert.is.not(code, 'still running', `the run did not end within 300 s of SIGINT:\n${run.output().slice(-3000)}`);
      assert.equal(await containers(), [], `working containers left (${seen.length} seen during the build):\n${run.output().slice(-2000)}`);
      assert.equal(tempDirs(tmp), [], 'temp dirs left');
      assert.match(run.output(), /SIGINT: stopping 1 test file/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('SIGKILL mid-build leaves them (no handler runs); the next start removes them', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cgks-interrupt-'));
    try {
      const run = startRun(tmp, `killed-${Date.now()}`);
      await untilBuilding(run);
      // Everything at once, as a lost machine or the OOM killer would: test/run.ts and each file's
      // own process group (run.ts starts every file detached), the build with it.
      const groups = [run.child.pid!, ...childrenOf(run.child.pid!)];
      for (const g of groups) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await run.exited;
      await sleep(2000);
      const left = await containers();
      const dirs = tempDirs(tmp);
      assert.ok(
        left.length > 0 && dirs.length > 0,
        `SIGKILL left ${left.length} container(s), ${dirs.length} temp dir(s): this control proves nothing`,
      );
      await cleanLeftovers();
      assert.equal(await containers(), [], 'working containers left after the next start');
      assert.equal(tempDirs(tmp), [], 'temp dirs left after the next start');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test.run();
