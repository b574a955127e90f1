// The real-cluster suite finds the node's binaries that scripts/cluster/prepare.ts built (it no
// longer builds them inside a test file's budget): under the name build-node.sh gives them, which
// the suite computes the way the script does; when they are missing it says how to build them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeBuildId, preparedBinDir } from '../cluster/support/node.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test("the build's name is the one build-node.sh computes (its own hash line, run by bash)", () => {
  const script = join(root, 'scripts', 'cluster', 'build-node.sh');
  const text = readFileSync(script, 'utf8');
  const line = /^hash="\$\(.*\)"$/m.exec(text)?.[0];
  assert.ok(line, 'no hash= line in build-node.sh');
  const version = /^K8S_VERSION=(\S+)/m.exec(text)![1];
  const r = spawnSync(
    'bash',
    ['-c', `HERE=${JSON.stringify(join(root, 'scripts', 'cluster'))}\n${line.replace('${BASH_SOURCE[0]}', script)}\nprintf %s "$hash"`],
    { encoding: 'utf8' },
  );
  assert.is(r.status, 0, r.stderr);
  assert.is(nodeBuildId(), `${version}-${r.stdout}`);
});

test('without a prepared build, one line says how to make it', () => {
  const cache = mkdtempSync(join(tmpdir(), 'cgks-node-cache-'));
  const saved = process.env.CGKS_CLUSTER_CACHE;
  process.env.CGKS_CLUSTER_CACHE = cache;
  try {
    assert.throws(
      () => preparedBinDir(),
      /the node's binaries for the current sources are not built \(no .*kubenode\): run `npm run test:cluster`, whose first step builds them/,
    );
  } finally {
    if (saved === undefined) delete process.env.CGKS_CLUSTER_CACHE;
    else process.env.CGKS_CLUSTER_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  }
});

test.run();
