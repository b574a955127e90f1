// test/run.ts provisions only the validation tools the files it runs use (test/support/provision.ts):
// the real-cluster suite names `helm crds` and gets only those, not every validation tool.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { declaredTools, toolsToProvision } from '../support/provision.js';

const uses = "import { toolsDir } from '../support/tools.js';\n";

test('files that use no tool provision none; one without a declaration provisions the whole set', () => {
  assert.is(toolsToProvision(['import x from "y";']), 'none');
  assert.is(toolsToProvision([uses, `// test-tools: helm\n${uses}`]), 'all');
  assert.is(toolsToProvision(["import { buildImage } from '../support/image.js';\n"]), 'all');
});

test('declared names are provisioned, their union once each', () => {
  assert.equal(declaredTools('// test-tools: helm  crds\n'), ['helm', 'crds']);
  assert.equal(toolsToProvision([`// test-tools: helm crds\n${uses}`, `// test-tools: crds actionlint\n${uses}`, 'no tools here']), [
    'actionlint',
    'crds',
    'helm',
  ]);
});

test('the real-cluster suite provisions helm, the CRDs and PostgreSQL only (variants.test.ts builds its image from the host binaries)', () => {
  const dir = fileURLToPath(new URL('../cluster/', import.meta.url));
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.equal(toolsToProvision(texts), ['crds', 'helm', 'postgres']);
});

test.run();
