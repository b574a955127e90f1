// The test runner (test/run.ts) gives each file the budget the file declares (or its directory's
// default), scaled by TEST_TIMEOUT_SCALE and by how many files share a core; a file that outlives
// it is killed with everything it started and reported as failed, with how to raise the limit.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { budgetScale, declaredBudgetSeconds, DEFAULT_BUDGET_SECONDS } from './budget.js';
import { declaredShards, shard } from './shard.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = 'test/fixtures/runner';

function runner(args: string[], env: NodeJS.ProcessEnv = {}) {
  return execa(process.execPath, ['--import', 'tsx', 'test/run.ts', ...args], {
    cwd: root,
    // One file at a time: the scale then stays 1 on any number of cores.
    env: { TEST_CONCURRENCY: '1', TEST_TIMEOUT_SCALE: undefined, ...env },
    reject: false,
    timeout: 90_000,
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a file past its declared budget is killed with its children and fails; one within its own budget passes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-runner-'));
  const pidFile = join(dir, 'pid');
  const started = Date.now();
  const r = await runner([`--dir=${FIXTURES}`, FIXTURES], { RUNNER_FIXTURE_PID_FILE: pidFile });
  const seconds = (Date.now() - started) / 1000;
  assert.is(r.exitCode, 1, r.stdout);
  assert.match(r.stdout, /^FAIL test\/fixtures\/runner\/past-budget\.test\.ts \(0 passed, 1 failed/m);
  assert.match(
    r.stdout,
    /KILLED: still running after 2 s \(budget 2 s × scale 1; raise it with TEST_TIMEOUT_SCALE=N or the file's "\/\/ test-budget: N s" line\)/,
  );
  // 3 s: longer than the other file's 2 s budget, well within its own 60 s.
  assert.match(r.stdout, /^ok +test\/fixtures\/runner\/within-budget\.test\.ts \(1 passed, 0 failed/m);
  assert.match(r.stdout, /^1 passed, 1 failed, 0 skipped$/m);
  assert.ok(seconds < 60, `the runner took ${seconds} s`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.not.ok(alive(pid), `the hung file's child ${pid} is still running`);
  rmSync(dir, { recursive: true, force: true });
});

test('TEST_TIMEOUT_SCALE multiplies every budget', async () => {
  const r = await runner([`--dir=${FIXTURES}`, 'past-budget'], { TEST_TIMEOUT_SCALE: '2.5' });
  assert.is(r.exitCode, 1, r.stdout);
  assert.match(r.stdout, /KILLED: still running after 5 s \(budget 2 s × scale 2\.5;/);
});

test('a TEST_TIMEOUT_SCALE that is not a positive number is a usage error, in one line', async () => {
  for (const bad of ['0', '-1', 'fast']) {
    const r = await runner([`--dir=${FIXTURES}`, FIXTURES], { TEST_TIMEOUT_SCALE: bad });
    assert.is(r.exitCode, 2, `${bad}: ${r.stdout}`);
    assert.is(r.stderr, `TEST_TIMEOUT_SCALE must be a number above 0, not "${bad}"`);
  }
});

test('the suite never runs the fixtures: they are test files only under --dir', async () => {
  const r = await runner(['fixtures/runner']);
  assert.match(r.stdout, /^0 files$/m);
});

test('the default walk never runs test/cluster (root only, starts a real node): npm run test:cluster does, with --dir', async () => {
  const r = await runner(['test/cluster'], { TEST_SKIP_PROVISION: '1' });
  assert.match(r.stdout, /^0 files$/m);
});

test('budgets: the declared line wins, else the directory decides', () => {
  const at = (p: string) => join(root, p);
  assert.is(declaredBudgetSeconds(at('test/e2e/x.test.ts'), '// a file\n// test-budget: 2400 s (builds images)\n', root), 2400);
  assert.is(declaredBudgetSeconds(at('test/unit/x.test.ts'), '// a file\n', root), DEFAULT_BUDGET_SECONDS.unit);
  assert.is(declaredBudgetSeconds(at('test/cli/x.test.ts'), '', root), DEFAULT_BUDGET_SECONDS.cli);
  assert.is(declaredBudgetSeconds(at('test/e2e/x.test.ts'), '', root), DEFAULT_BUDGET_SECONDS.other);
  // Only a line comment of its own counts, not the phrase inside code or another comment.
  assert.is(declaredBudgetSeconds(at('test/unit/x.test.ts'), "const s = '// test-budget: 9 s';\n", root), DEFAULT_BUDGET_SECONDS.unit);
});

test('scale: TEST_TIMEOUT_SCALE times the files sharing each core', () => {
  assert.is(budgetScale({}, 2, 2), 1);
  assert.is(budgetScale({}, 1, 8), 1);
  assert.is(budgetScale({}, 4, 2), 2);
  assert.is(budgetScale({ TEST_TIMEOUT_SCALE: '3' }, 4, 2), 6);
});

test('a file split with // test-shards: 3 runs as three processes, each with its part of the suites, all of them once', async () => {
  const r = await runner(['--dir=test/fixtures/shards', 'sharded'], { TEST_VERBOSE: '1' });
  assert.is(r.exitCode, 0, r.stdout);
  for (const [part, passed] of [
    [1, 2],
    [2, 2],
    [3, 1],
  ] as const) {
    assert.match(
      r.stdout,
      new RegExp(`^ok +test/fixtures/shards/sharded\\.test\\.ts \\[part ${part} of 3\\] \\(${passed} passed, 0 failed`, 'm'),
    );
  }
  const ran = [...r.stdout.matchAll(/ran suite (\d) in part (\d)\/3/g)].map((m) => [Number(m[1]), Number(m[2])]).sort();
  assert.equal(ran, [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 0],
    [4, 1],
  ]);
  assert.match(r.stdout, /^5 passed, 0 failed, 0 skipped$/m);
});

test('shard(): round-robin over the parts; everything when run alone; a bad TEST_SHARD is an error', () => {
  assert.is(declaredShards('// x\n// test-shards: 4 (slow)\n'), 4);
  assert.is(declaredShards('const s = "// test-shards: 4";\n'), 1);
  const picks = (env: NodeJS.ProcessEnv) => {
    const mine = shard(env);
    return Array.from({ length: 7 }, (_, i) => i).filter(() => mine());
  };
  assert.equal(picks({}), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(picks({ TEST_SHARD: '1/3' }), [1, 4]);
  assert.throws(() => shard({ TEST_SHARD: '3/3' }), /TEST_SHARD must be k\/N with 0 <= k < N, not "3\/3"/);
});

test.run();
