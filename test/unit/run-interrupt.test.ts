// test/run.ts on Ctrl-C (SIGINT to its process group): each running file gets SIGTERM and time to
// clean up (a node's teardown, a cut-short image build), not an immediate SIGKILL; no new file starts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a file interrupted through test/run.ts runs its cleanup; the next file never starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-run-interrupt-'));
  try {
    const marker = (name: string) => JSON.stringify(join(dir, name));
    // Two files; with one at a time, b starts only after a ends.
    writeFileSync(
      join(dir, 'a.test.ts'),
      `import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => setTimeout(() => { writeFileSync(${marker('cleaned')}, 'yes'); process.exit(143); }, 500));
writeFileSync(${marker('ready')}, 'yes');
setTimeout(() => {}, 60_000);
`,
    );
    writeFileSync(join(dir, 'b.test.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${marker('b-started')}, 'yes');\n`);
    const run = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'run.ts'), `--dir=${dir}`], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TEST_CONCURRENCY: '1', TEST_SKIP_PROVISION: '1' },
    });
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((ok) => run.on('exit', () => ok()));
    for (let i = 0; i < 300 && !existsSync(join(dir, 'ready')); i++) await sleep(100);
    assert.ok(existsSync(join(dir, 'ready')), `the file did not start: ${out}`);
    process.kill(-run.pid!, 'SIGINT');
    await Promise.race([exited, sleep(30_000)]);
    assert.ok(existsSync(join(dir, 'cleaned')), `the file was killed before its cleanup ran: ${out}`);
    assert.ok(!existsSync(join(dir, 'b-started')), 'a file started after the interrupt');
    assert.match(out, 'SIGINT: stopping 1 test file(s)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
