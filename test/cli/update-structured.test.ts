// test-budget: 300 s (two generated repos, go get / build / vet from the module cache)
// update merges go.mod, go.sum, chart values and the Makefile by structure: a team that ran
// `go get` and a release that bumped a module next to it, or a team that changed one value
// and a release that changed another, get no conflict. The repo is made by the built CLI
// with Go 1.25's pins; the newer release is played by that output with the caarlos0/env
// module bumped to the version Go 1.26's pins use (go.mod and go.sum), a Makefile variable
// and a values.yaml key changed. Real go build, go vet and go mod tidy judge the result;
// everything runs offline against the module cache (GOPROXY=off); helm lint --strict reads
// the merged chart values.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { go } from '../support/go.js';
import { helmLint } from '../support/tools.js';
import { render } from '../support/generate.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import { commitAll, edit, git, newRepo, read, write } from '../support/regen/repo.js';

const V2 = otherVersion(1);
const OFFLINE = { GOFLAGS: '-mod=mod', GOPROXY: 'off' };
const ENV_OLD = 'github.com/caarlos0/env/v11 v11.4.1';
const ENV_NEW = 'github.com/caarlos0/env/v11 v11.4.2';
const PERKS = 'github.com/beorn7/perks v1.0.1';
const newSum = render({ goVersion: '1.26' })
  .find((f) => f.path === 'go.sum')!
  .content.split('\n')
  .filter((l) => l.startsWith('github.com/caarlos0/env/v11 v11.4.2'));

function release2(path: string, content: string): string {
  if (path === 'go.mod') return content.replace(ENV_OLD, ENV_NEW);
  if (path === 'go.sum')
    return content
      .split('\n')
      .map((l) => (l.startsWith('github.com/caarlos0/env/v11 v11.4.1') ? newSum[l.includes('/go.mod') ? 1 : 0]! : l))
      .join('\n');
  if (path === 'charts/orders/values.yaml') return content.replace('revisionHistoryLimit: 10', 'revisionHistoryLimit: 5');
  if (path === 'Makefile') return content.replace(/^(IMAGE \?= .*)$/m, '$1\nPLATFORMS ?= linux/amd64,linux/arm64');
  return content;
}

test("a team's go get, Makefile variable and values edit next to the release's changes: merged with no conflict; go build, vet and tidy pass", async () => {
  assert.is(newSum.length, 2);
  const dir = await newRepo({ git: true, args: ['--go-version', '1.25'] });
  assert.ok(read(dir, 'go.mod').includes(ENV_OLD));
  const seams = await newerGenerator(dir, V2, release2);

  // The team: beorn7/perks in its own code (client_golang's dependency, so in the module cache;
  // go get moves it up among the direct requirements, right before caarlos0/env), a Makefile
  // variable where the release adds one, and the replica count next to the release's change.
  mkdirSync(join(dir, 'internal/team'));
  write(
    dir,
    'internal/team/p99.go',
    'package team\n\nimport "github.com/beorn7/perks/quantile"\n\n// P99 estimates the 99th percentile of values.\nfunc P99(values []float64) float64 {\n\ts := quantile.NewTargeted(map[float64]float64{0.99: 0.001})\n\tfor _, v := range values {\n\t\ts.Insert(v)\n\t}\n\treturn s.Query(0.99)\n}\n',
  );
  const got = await go(dir, ['get', `${PERKS.replace(' ', '@')}`], OFFLINE);
  assert.is(got.exitCode, 0, got.all);
  const tidied = await go(dir, ['mod', 'tidy'], OFFLINE);
  assert.is(tidied.exitCode, 0, tidied.all);
  // Next to the line the release changes: a line merge of go.mod conflicts here.
  assert.match(read(dir, 'go.mod'), `\t${PERKS}\n\t${ENV_OLD}\n`);
  edit(dir, 'Makefile', /^(IMAGE \?= .*)$/m, '$1\nCOVERAGE ?= 80');
  edit(dir, 'charts/orders/values.yaml', /^replicaCount: 2$/m, 'replicaCount: 3');
  commitAll(dir, 'team edits');

  const { code, c } = await updateIn(dir, seams, ['--json']);
  const j = c.json[0] as { conflicts: string[]; files: { path: string; action: string }[]; warnings: string[] };
  assert.equal(j.conflicts, [], read(dir, 'go.mod'));
  assert.is(code, 0, c.errors.join('\n'));
  const action = (p: string) => j.files.find((f) => f.path === p)?.action;
  for (const p of ['go.mod', 'Makefile', 'charts/orders/values.yaml']) assert.is(action(p), 'merged', p);
  assert.equal(j.warnings, []);
  assert.ok(
    c.info.some((l) => l.endsWith('; go mod tidy ran on the merged go.mod')),
    c.info.join('\n'),
  );

  const mod = read(dir, 'go.mod');
  assert.match(mod, ENV_NEW);
  assert.match(mod, `\t${PERKS}\n`);
  assert.match(read(dir, 'Makefile'), 'COVERAGE ?= 80');
  assert.match(read(dir, 'Makefile'), 'PLATFORMS ?= linux/amd64,linux/arm64');
  const values = parseYaml(read(dir, 'charts/orders/values.yaml')) as { replicaCount: number; revisionHistoryLimit: number };
  assert.equal([values.replicaCount, values.revisionHistoryLimit], [3, 5]);

  // go mod tidy ran after the merge and had nothing left to do: go.mod and go.sum are tidy.
  const tidyDiff = git(dir, ['diff', '--stat']);
  const tidy = await go(dir, ['mod', 'tidy', '-diff'], OFFLINE);
  assert.is(tidy.exitCode, 0, `${tidy.all}\n${tidyDiff}`);
  for (const args of [
    ['build', './...'],
    ['vet', './...'],
  ]) {
    const r = await go(dir, args, OFFLINE);
    assert.is(r.exitCode, 0, `go ${args.join(' ')}: ${r.all}`);
  }
  // The merged chart values, as Helm reads them (with the production file on top).
  const lint = await helmLint(join(dir, 'charts/orders'), [join(dir, 'charts/orders/values-prod.yaml')]);
  assert.ok(lint.ok, lint.output);
});

test('go mod tidy that cannot run offline: the merged go.mod stays, and the update says tidy did not run', async () => {
  const dir = await newRepo({ git: true, args: ['--go-version', '1.25'] });
  const seams = await newerGenerator(dir, V2, release2);
  // A requirement the module cache cannot answer for (no proxy offline).
  edit(dir, 'go.mod', `\t${ENV_OLD}\n`, `\t${ENV_OLD}\n\texample.com/nowhere v1.0.0\n`);
  commitAll(dir, 'a module from nowhere');
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const j = c.json[0] as { conflicts: string[]; warnings: string[] };
  assert.equal(j.conflicts, []);
  assert.is(j.warnings.length, 1, j.warnings.join('\n'));
  assert.match(
    j.warnings[0]!,
    /^go mod tidy could not run offline \(.+\): go\.mod and go\.sum are merged but not tidied; run `go mod tidy`$/,
  );
  const mod = read(dir, 'go.mod');
  assert.match(mod, ENV_NEW);
  assert.match(mod, 'example.com/nowhere v1.0.0');
});

test.run();
