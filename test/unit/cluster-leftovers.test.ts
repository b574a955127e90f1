// What the next start of the real-cluster suite removes (test/cluster/support/leftovers.ts): the
// temp dirs recorded by processes that are gone, never those of a process still running.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { staleRecords } from '../cluster/support/leftovers.js';

test("only dead processes' records are stale", () => {
  const records = { '100': ['/tmp/cgks-cluster-chart-a'], '200': ['/tmp/cgks-cluster-rolling-b', '/tmp/cgks-cluster-repo-c'], junk: ['/'] };
  assert.equal(
    staleRecords(records, (pid) => pid === 100),
    { '200': ['/tmp/cgks-cluster-rolling-b', '/tmp/cgks-cluster-repo-c'] },
  );
  assert.equal(
    staleRecords(records, () => true),
    {},
  );
});

test.run();
