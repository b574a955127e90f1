// Runs the test files, each in its own process, a few at a time (end-to-end files build
// Go code and start processes, so they run in parallel where the cores allow).
// `tsx test/run.ts` runs everything; `--unit` only test/unit; other arguments filter by path;
// `--dir=PATH` looks for test files under PATH instead of test/; without it, test/fixtures and
// test/cluster (a real Kubernetes node: `npm run test:cluster`) are not searched.
// Each file runs within a budget (test/support/budget.ts); one that outlives it is killed, with
// its whole process group, and fails. A slow file may split itself into parts run as separate
// processes, each within the budget (`// test-shards: N`, test/support/shard.ts).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetScale, declaredBudgetSeconds } from './support/budget.js';
import { declaredShards } from './support/shard.js';
import { toolsToProvision } from './support/provision.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const dirArg = args.find((a) => a.startsWith('--dir='))?.slice('--dir='.length);
const filters = args.filter((a) => !a.startsWith('--'));

// test/cluster starts a real Kubernetes node (root only, minutes): only `--dir=test/cluster` runs it.
const clusterDir = join(root, 'test', 'cluster');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    // fixtures/ only when --dir points into one (test/cluster/fixtures/interrupt, say).
    if (statSync(p).isDirectory())
      return (e === 'fixtures' && !dirArg?.includes('fixtures')) || (p === clusterDir && !dirArg) ? [] : walk(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

let files = walk(dirArg ? resolve(dirArg) : join(root, 'test')).sort();
if (unitOnly) files = files.filter((f) => f.includes(`${join('test', 'unit')}`));
if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
// Slowest first, so the long end-to-end files start early.
files.sort((a, b) => Number(b.includes('/e2e/')) - Number(a.includes('/e2e/')));

const sources = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
/** Processes to run: one per file, or one per part of a file split with `// test-shards: N`. */
const jobCount = files.reduce((n, f) => n + declaredShards(sources.get(f)!), 0);
const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
let scale: number;
try {
  scale = budgetScale(process.env, Math.min(concurrency, jobCount || 1), availableParallelism());
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
}

// What the tests need and only a fresh machine lacks (the validation tools; for the image tests
// buildah and the stand-in base images) takes minutes to build. That is no one file's work, so it
// is provisioned before the clocks start; each file would otherwise wait for it under its budget.
function provision(what: string, command: string[]): void {
  const t0 = Date.now();
  process.stdout.write(`provisioning ${what} (${command.join(' ')}; counted in no budget)\n`);
  const r = spawnSync(
    'bash',
    command.map((c, i) => (i === 0 ? join(root, c) : c)),
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const took = `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  process.stdout.write(
    r.status === 0 ? `provisioned ${what} in ${took}\n` : `provisioning ${what} FAILED after ${took}: the files that need it will say so\n`,
  );
}
const uses = (support: string) => [...sources.values()].some((text) => text.includes(`support/${support}.js'`));
if (!process.env.TEST_SKIP_PROVISION) {
  const tools = toolsToProvision([...sources.values()]);
  if (tools === 'all') provision('the validation tools', ['scripts/install-tools.sh']);
  else if (tools !== 'none') provision(`the validation tools the files use (${tools.join(', ')})`, ['scripts/install-tools.sh', ...tools]);
  // Debian's postgresql package, for the throwaway clusters of test/support/postgres.ts.
  if (uses('postgres')) provision('PostgreSQL', ['scripts/install-tools.sh', 'postgres']);
  const canBuildImages = process.platform === 'linux' && process.getuid?.() === 0;
  if (uses('image') && canBuildImages) {
    provision('buildah', ['scripts/install-tools.sh', 'buildah']);
    provision('the stand-in base images', ['scripts/stand-in-images.sh']);
  }
}

/** One process to run: a file, or one part of a file that declares `// test-shards: N`. */
interface Job {
  file: string;
  part: number;
  parts: number;
}

interface Result {
  file: string;
  code: number | null;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  output: string;
}

const running = new Set<number>();
// Ctrl-C or SIGTERM: each file's process group gets SIGTERM and up to TEST_INTERRUPT_GRACE seconds
// (default 180) to clean up (a node's teardown, a cut-short image build); a second signal, or the
// end of the grace, kills them.
let interrupted = false;
const killAll = () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(130);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) killAll();
    interrupted = true;
    process.stdout.write(`${sig}: stopping ${running.size} test file(s); again to kill them at once\n`);
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const grace = setTimeout(killAll, Number(process.env.TEST_INTERRUPT_GRACE ?? 180) * 1000);
    const poll = setInterval(() => {
      if (running.size === 0) {
        clearTimeout(grace);
        clearInterval(poll);
        process.exit(130);
      }
    }, 200);
  });
}

function runFile({ file, part, parts }: Job): Promise<Result> {
  const started = Date.now();
  const budget = declaredBudgetSeconds(file, sources.get(file)!, root);
  const limitMs = budget * scale * 1000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', ...(parts > 1 ? { TEST_SHARD: `${part}/${parts}` } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid!);
    let output = '';
    const timer = setTimeout(() => {
      output +=
        `\nKILLED: still running after ${(limitMs / 1000).toFixed(0)} s (budget ${budget} s × scale ${+scale.toFixed(2)}; ` +
        'raise it with TEST_TIMEOUT_SCALE=N or the file\'s "// test-budget: N s" line)\n';
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limitMs);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child.pid!);
      const num = (re: RegExp) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      const total = num(/Total:\s+(\d+)/g);
      const passed = num(/Passed:\s+(\d+)/g);
      const skipped = num(/Skipped:\s+(\d+)/g);
      resolve({
        file: relative(root, file) + (parts > 1 ? ` [part ${part + 1} of ${parts}]` : ''),
        code,
        passed,
        failed: Math.max(total - passed - skipped, code === 0 ? 0 : 1),
        skipped,
        seconds: (Date.now() - started) / 1000,
        output,
      });
    });
  });
}

const queue: Job[] = files.flatMap((file) => {
  const parts = declaredShards(sources.get(file)!);
  return Array.from({ length: parts }, (_, part) => ({ file, part, parts }));
});
const results: Result[] = [];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let f = queue.shift(); f && !interrupted; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const status = r.code === 0 ? 'ok  ' : 'FAIL';
      process.stdout.write(`${status} ${r.file} (${r.passed} passed, ${r.failed} failed, ${r.seconds.toFixed(1)}s)\n`);
      if (r.code !== 0 || process.env.TEST_VERBOSE) process.stdout.write(r.output.replace(/^/gm, '    ') + '\n');
    }
  }),
);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
process.stdout.write(`\n${results.length} files\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
