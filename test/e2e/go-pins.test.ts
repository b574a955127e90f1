// The pins are what `go mod tidy` writes: for every combination of the options that change the
// Go dependencies (metrics × tracing × database × automaxprocs) and both baseline Go versions, the rendered
// go.mod and go.sum are tidy for the rendered Go code (`go mod tidy -diff` shows nothing).
// test-budget: 900 s
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveAnswers } from '../../generators/model/answers.js';
import { filesFor } from '../../generators/model/files.js';
import { renderAll } from '../../generators/render/render.js';
import { go } from '../support/go.js';

const work = mkdtempSync(join(tmpdir(), 'cgks-go-pins-'));

for (const goVersion of ['1.25', '1.26']) {
  for (let i = 0; i < 16; i++) {
    const given = { metrics: Boolean(i & 1), tracing: Boolean(i & 2), database: i & 4 ? 'postgres' : 'none', automaxprocs: Boolean(i & 8) };
    const label = `go ${goVersion}, metrics=${given.metrics}, tracing=${given.tracing}, database=${given.database}, automaxprocs=${given.automaxprocs}`;
    test(`go mod tidy -diff is clean: ${label}`, async () => {
      const answers = resolveAnswers({ name: 'pins-svc', goVersion, ...given }, { useDefaults: true, env: {} });
      const dir = join(work, `${goVersion}-${i}`);
      for (const f of renderAll(
        answers,
        filesFor(answers).filter((x) => x.group === 'go'),
      )) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const r = await go(dir, ['mod', 'tidy', '-diff']);
      assert.is(r.exitCode, 0, `${label}:\n${r.all}`);
    });
  }
}

test.run();
