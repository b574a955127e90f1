// plop sees the same generators the CLI drives: `service` and one per file group.
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import nodePlop from 'node-plop';
import { GROUPS } from '../../generators/model/files.js';

test('the plopfile registers the service generator and one generator per file group', async () => {
  const plop = await nodePlop(fileURLToPath(new URL('../../plopfile.ts', import.meta.url)));
  const names = plop.getGeneratorList().map((g) => g.name).sort();
  assert.equal(names, ['service', ...GROUPS].sort());
  assert.ok(plop.getActionTypeList().includes('write-file-table'));
  assert.ok(plop.getActionTypeList().includes('regenerate-group'));
});

test.run();
