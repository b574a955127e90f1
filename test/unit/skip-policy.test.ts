// The skip policy of environment-dependent tests (test/support/skip.ts): skipped with a reason
// here, a failure under CI=true.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const helper = fileURLToPath(new URL('../support/skip.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cgks-skip-'));
const file = join(dir, 'needs-root.test.mts');
const mustFile = join(dir, 'asked-for.test.mts');
// The same uvu as the helper's (its test registry), by URL: the file is outside the repo.
const uvu = import.meta.resolve('uvu');
writeFileSync(
  file,
  `import { test } from ${JSON.stringify(uvu)};\nimport { cannotRunHere } from ${JSON.stringify(helper)};\ncannotRunHere('the thing', 'needs root', ['a', 'b']);\ntest.run();\n`,
);
writeFileSync(
  mustFile,
  `import { test } from ${JSON.stringify(uvu)};\nimport { mustRunHere } from ${JSON.stringify(helper)};\nmustRunHere('the node', 'needs root');\ntest.run();\n`,
);

function runWith(ci: string | undefined, f = file) {
  const env = { ...process.env };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  return spawnSync(process.execPath, ['--import', 'tsx', f], {
    encoding: 'utf8',
    env,
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
}

test('elsewhere: skipped, exit 0, the reason on stderr', () => {
  const r = runWith(undefined);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /the thing: skipped: needs root/);
  assert.match(r.stdout, /Skipped:\s+2/);
});

test('CI=true: the skip is a failure naming why', () => {
  const r = runWith('true');
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /the thing: cannot run here: needs root/);
});

test('a suite run on purpose (mustRunHere) fails without what it needs under every CI setting', () => {
  for (const ci of [undefined, 'false', '', 'true']) {
    const r = runWith(ci, mustFile);
    assert.is(r.status, 1, `CI=${ci}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /the node: cannot run here: needs root/);
  }
});

test.run();
