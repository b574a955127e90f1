// plop sees the same generators the CLI drives: `service` and one per file group, each an
// adapter whose action calls the engine.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import nodePlop from 'node-plop';
import { GROUPS } from '../../generators/model/files.js';
import { RECORD_FILE } from '../../generators/model/record.js';

const plopfile = fileURLToPath(new URL('../../plopfile.ts', import.meta.url));

test('the plopfile registers the service generator and one generator per file group', async () => {
  const plop = await nodePlop(plopfile);
  const names = plop
    .getGeneratorList()
    .map((g) => g.name)
    .sort();
  assert.equal(names, ['service', ...GROUPS].sort());
  assert.ok(plop.getActionTypeList().includes('write-file-table'));
  assert.ok(plop.getActionTypeList().includes('regenerate-group'));
});

test("plop's service action writes the repo (and its record) for plop's answers, through the engine", async () => {
  const dest = mkdtempSync(join(tmpdir(), 'cgks-plop-'));
  const plop = await nodePlop(plopfile, { destBasePath: dest, force: false });
  const { changes, failures } = await plop.getGenerator('service').runActions({ name: 'orders', port: 9090 });
  assert.equal(failures, []);
  assert.match(String(changes[0]?.path), /^\d+ files in .*orders$/);
  assert.ok(existsSync(join(dest, 'orders', 'Makefile')));
  assert.is(JSON.parse(readFileSync(join(dest, 'orders', RECORD_FILE), 'utf8')).answers.port, 9090);
  // Refused like the CLI's create: a second run into the same directory writes nothing.
  const again = await plop.getGenerator('service').runActions({ name: 'orders' });
  assert.match(String(again.failures[0]?.error), /is not empty/);
});

test.run();
