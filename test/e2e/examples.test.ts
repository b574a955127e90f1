// Each committed example (examples/<name>, rendered by `npm run examples`) is a working Go
// module and chart of its own: go vet, go test, gofmt and helm lint --strict pass on it as
// committed, so what reviewers read is what builds.
// test-budget: 900 s
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { go } from '../support/go.js';
import { helmLint, repoRoot } from '../support/tools.js';
import { EXAMPLES } from '../../scripts/lib/examples.js';

for (const e of EXAMPLES) {
  const t = suite(`examples/${e.name}`);
  const dir = join(repoRoot(), 'examples', e.name);

  t('go vet and go test pass; gofmt -l prints nothing', async () => {
    for (const args of [
      ['vet', './...'],
      ['test', '-count=1', './...'],
    ]) {
      const r = await go(dir, args);
      assert.is(r.exitCode, 0, `go ${args.join(' ')}:\n${r.all}`);
    }
    assert.is(execFileSync('gofmt', ['-l', '.'], { cwd: dir, encoding: 'utf8' }).trim(), '');
  });

  t('helm lint --strict passes on the chart', async () => {
    const lint = await helmLint(join(dir, 'charts', e.name));
    assert.ok(lint.ok, lint.output);
  });

  t.run();
}
