// The memory pressure of the real-cluster suite's fault test, calibrated without a node: the
// service's debug build (test/cluster/fixtures/memdebug.go) in a 128 MiB memory cgroup of its
// own, as the chart's default limit gives a pod, holding 72 MiB and churning 64 MiB/s. Without
// GOMEMLIMIT (GOMEMLIMIT=off) the kernel OOM-kills it; with the GOMEMLIMIT the service sets
// from the cgroup (90%) it stays below the limit. Also checks the harness's cgroup readers
// (memoryCgroupDir, readMemory) against the kernel's own files.
// Needs root and a writable cgroup v1 memory hierarchy; skipped elsewhere, except with CI=true, where it fails.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryCgroupDir, readMemory } from '../cluster/support/harness.js';
import { generate } from '../support/generate.js';
import { cannotRunHere } from '../support/skip.js';
import { freePort, go } from '../support/go.js';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';
const LIMIT = 128 * 1024 * 1024;
const PRESSURE = { CGKS_DEBUG_BALLAST_MIB: '72', CGKS_DEBUG_CHURN_MIB_PER_SEC: '64' };
const canRun = process.getuid?.() === 0 && existsSync(join(MEMORY_ROOT, 'memory.limit_in_bytes'));

interface Run {
  killedBySignal: string | null;
  exitCode: number | null;
  peakRss: number;
  kernelPeak: number;
  oomKills: number;
  gomemlimitLog: string;
  seconds: number;
}

/** Runs BIN in a fresh 128 MiB memory cgroup for at most SECONDS, sampling its rss every 250 ms. */
async function runInCgroup(bin: string, env: Record<string, string>, label: string, seconds: number): Promise<Run> {
  const dir = join(MEMORY_ROOT, `cgks-memtest-${process.pid}-${label}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'memory.limit_in_bytes'), String(LIMIT));
  const port = await freePort();
  // The shell enters the cgroup, then execs the service: the service's pid is the child's.
  const child = spawn('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec "$0"`, bin], {
    env: { PATH: process.env.PATH, PORT: String(port), ADMIN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  let done: { code: number | null; signal: string | null } | undefined;
  void exited.then((e) => (done = e));
  const t0 = Date.now();
  let peakRss = 0;
  try {
    for (let i = 0; i < seconds * 4 && !done; i++) {
      await new Promise((r) => setTimeout(r, 250));
      if (i === 4 && !done) assert.is(memoryCgroupDir(child.pid!), dir, 'memoryCgroupDir finds the cgroup from /proc/PID/cgroup');
      const m = readMemory(dir);
      assert.is(m.limit, LIMIT, 'readMemory reads the limit');
      peakRss = Math.max(peakRss, m.rss);
    }
    const kernelPeak = readMemory(dir).peak;
    const oomKills = Number(/^oom_kill (\d+)$/m.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'))?.[1] ?? 0);
    const ended = done; // before our own SIGKILL below
    if (!ended) child.kill('SIGKILL');
    await exited;
    return {
      killedBySignal: ended ? ended.signal : null,
      exitCode: ended ? ended.code : null,
      peakRss,
      kernelPeak,
      oomKills,
      gomemlimitLog: /"gomemlimit":("?[^,]*)/.exec(log)?.[1] ?? '',
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 40 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((r) => setTimeout(r, 250)); // the killed process leaves the cgroup a moment later
      }
    }
  }
}

if (!canRun) {
  cannotRunHere(
    'memory pressure calibration',
    `needs root and a cgroup v1 memory hierarchy (${join(MEMORY_ROOT, 'memory.limit_in_bytes')})`,
  );
} else {
  let bin = '';
  test('builds the service with the debug file', async () => {
    const dir = generate({ name: 'demo-svc' }, 'cgks-memdebug-');
    cpSync(fileURLToPath(new URL('../cluster/fixtures/memdebug.go', import.meta.url)), join(dir, 'cmd', 'demo-svc', 'zz_memdebug.go'));
    bin = join(dir, 'bin', 'demo-svc');
    const r = await go(dir, ['build', '-o', bin, './cmd/demo-svc'], { CGO_ENABLED: '0' });
    assert.is(r.exitCode, 0, r.all);
  });

  test('GOMEMLIMIT=off: the pressure gets the service OOM-killed by the kernel', async () => {
    const r = await runInCgroup(bin, { ...PRESSURE, GOMEMLIMIT: 'off' }, 'off', 30);
    assert.is(r.gomemlimitLog, '"off"');
    assert.is(r.killedBySignal, 'SIGKILL', JSON.stringify(r));
    assert.ok(r.oomKills >= 1, JSON.stringify(r));
  });

  test('GOMEMLIMIT from the cgroup (90%): 20 s of the same pressure, alive, rss below the limit, no OOM kill', async () => {
    const r = await runInCgroup(bin, PRESSURE, 'limit', 20);
    assert.is(Number(r.gomemlimitLog), Math.floor(LIMIT * 0.9), r.gomemlimitLog);
    assert.is(r.killedBySignal, null, `died: ${JSON.stringify(r)}`);
    assert.is(r.oomKills, 0);
    assert.ok(r.peakRss > 72 * 1024 * 1024, `the ballast is resident: peak rss ${r.peakRss}`);
    assert.ok(r.peakRss < LIMIT, `peak rss ${r.peakRss}`);
    process.stdout.write(
      `GOMEMLIMIT run: peak rss ${(r.peakRss / 2 ** 20).toFixed(1)} MiB, kernel peak usage ${(r.kernelPeak / 2 ** 20).toFixed(1)} MiB of 128 MiB\n`,
    );
  });
}

test.run();
