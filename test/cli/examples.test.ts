// examples/ holds repos rendered by this generator, committed so that reviewers read a template
// change as the Go and YAML it makes. Each must be exactly what the generator renders today.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/tools.js';
import { readTree } from '../support/tree.js';
import { EXAMPLE_PRESET, EXAMPLES, exampleArgs } from '../../scripts/lib/examples.js';

const root = repoRoot();
// The same layout as the repo (examples/<name>, docs/example-preset), so a folder preset is
// recorded with the same relative path.
const work = mkdtempSync(join(tmpdir(), 'cgks-examples-'));
cpSync(join(root, EXAMPLE_PRESET), join(work, EXAMPLE_PRESET), { recursive: true });
mkdirSync(join(work, 'examples'));

for (const e of EXAMPLES) {
  test(`examples/${e.name} is what the generator renders (${e.why}); else run npm run examples`, async () => {
    const dir = join(work, 'examples', e.name);
    const r = await runCli(exampleArgs(e, dir, join(work, EXAMPLE_PRESET)), { env: { NO_COLOR: '1' } });
    assert.is(r.exitCode, 0, r.stderr);
    const committed = join(root, 'examples', e.name);
    assert.ok(existsSync(committed), `examples/${e.name} is missing: run npm run examples`);
    const want = readTree(dir);
    const have = readTree(committed);
    const stale = [...new Set([...want.keys(), ...have.keys()])]
      .filter((p) => !want.get(p)?.equals(have.get(p) ?? Buffer.alloc(0)) || !have.has(p))
      .sort();
    assert.equal(stale, [], `examples/${e.name} is stale in ${stale.slice(0, 5).join(', ')}: run npm run examples`);
  });
}

test('examples/README.md lists every example', () => {
  const readme = readFileSync(join(root, 'examples/README.md'), 'utf8');
  for (const e of EXAMPLES) assert.ok(readme.includes(`[${e.name}](${e.name}/)`), e.name);
});

test.run();
