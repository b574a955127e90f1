// Runs the test files, each in its own process, a few at a time (end-to-end files build
// Go code and start processes, so they run in parallel where the cores allow).
// `tsx test/run.ts` runs everything; `--unit` only test/unit; other arguments filter by path.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

let files = walk(join(root, 'test')).sort();
if (unitOnly) files = files.filter((f) => f.includes(`${join('test', 'unit')}`));
if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
// Slowest first, so the long end-to-end files start early.
files.sort((a, b) => Number(b.includes('/e2e/')) - Number(a.includes('/e2e/')));

const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
// A file that hangs (a leaked child process, a prompt nobody answers) fails instead of
// holding CI until its deadline.
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);
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
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

function runFile(file: string): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid!);
    let output = '';
    const timer = setTimeout(() => {
      output += `\nKILLED: still running after ${fileTimeoutMs / 1000} s\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, fileTimeoutMs);
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
        file: relative(root, file),
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

const queue = [...files];
const results: Result[] = [];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
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
