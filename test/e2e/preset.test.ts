// A repo made with the example preset passes the same proofs as a default repo: Go builds,
// vets, tests (race) and is gofmt/tidy/staticcheck clean; the chart (with the preset's pod
// labels) passes helm lint --strict in every environment, kubectl-validate and Pod Security
// "restricted"; the patched GitLab CI file passes GitLab's schema; the preset's Make target
// runs; and the same holds after `update` to version 2 of the preset.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { go } from '../support/go.js';
import { gitlabCiValidate, helmLint, helmTemplate, kubectlValidate, podSecurityRestricted, staticcheck } from '../support/tools.js';
import { EXAMPLE, presetV2 } from '../support/preset.js';
import { commitAll } from '../support/regen/repo.js';

const ENVS = ['dev', 'staging', 'prod'];

for (const version of ['1.0.0', '2.0.0 (after update)']) {
  const t = suite(`the example preset's repo, preset ${version}`);
  let dir = '';

  t.before(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'cgks-preset-e2e-')), 'orders');
    const r = await runCli([
      dir,
      '--yes',
      '--no-install',
      '--preset',
      EXAMPLE,
      '--set',
      'team=payments',
      '--set',
      'costCentre=CC-4711',
      '--tracing',
    ]);
    assert.is(r.exitCode, 0, r.stderr);
    if (version.startsWith('2')) {
      const u = await runCli(['update', '--preset', presetV2()], { cwd: dir });
      assert.is(u.exitCode, 0, u.stderr);
      commitAll(dir, 'preset 2.0.0');
    }
  });

  t('go build, go vet, go test -race, gofmt, go mod tidy -diff and staticcheck pass', async () => {
    for (const args of [
      ['build', './...'],
      ['vet', './...'],
      ['test', '-race', '-count=1', './...'],
      ['mod', 'tidy', '-diff'],
    ]) {
      const r = await go(dir, args);
      assert.is(r.exitCode, 0, `go ${args.join(' ')}:\n${r.all}`);
    }
    assert.is(execFileSync('gofmt', ['-l', '.'], { cwd: dir, encoding: 'utf8' }).trim(), '');
    const sc = await staticcheck(dir);
    assert.ok(sc.ok, sc.output);
  });

  t("the chart with the preset's labels: helm lint --strict per environment, kubectl-validate, Pod Security restricted", async () => {
    const chart = join(dir, 'charts/orders');
    for (const env of [undefined, ...ENVS]) {
      const files = env ? [join(chart, `values-${env}.yaml`)] : [];
      const lint = await helmLint(chart, files);
      assert.ok(lint.ok, `helm lint ${env ?? ''}:\n${lint.output}`);
      const r = await helmTemplate(chart, files);
      assert.ok(r.ok, r.output);
      const v = await kubectlValidate(r.output, '1.37');
      assert.ok(v.ok, v.output);
      const psa = await podSecurityRestricted(r.output);
      assert.ok(psa.ok, psa.output);
      const deployment = parseAllDocuments(r.output)
        .map((d) => d.toJS())
        .find((o) => o?.kind === 'Deployment');
      assert.equal(
        { team: deployment.spec.template.metadata.labels.team, cc: deployment.spec.template.metadata.labels['cost-centre'] },
        { team: 'payments', cc: 'CC-4711' },
      );
    }
  });

  t("the patched .gitlab-ci.yml passes GitLab's CI schema; the preset's Make target runs and is listed by make help", async () => {
    const ci = await gitlabCiValidate(join(dir, '.gitlab-ci.yml'));
    assert.ok(ci.ok, ci.output);
    assert.is(execFileSync('make', ['-s', 'cost-centre'], { cwd: dir, encoding: 'utf8' }), 'CC-4711\n');
    assert.match(execFileSync('make', ['-s', 'help'], { cwd: dir, encoding: 'utf8' }), /cost-centre +Print the cost centre/);
    if (version.startsWith('2'))
      assert.is(execFileSync('make', ['-s', 'oncall'], { cwd: dir, encoding: 'utf8' }), 'https://oncall.acme.dev/payments\n');
  });

  t("check: every convention holds, ours and the preset's", async () => {
    const r = await runCli(['check', '--json'], { cwd: dir });
    assert.is(r.exitCode, 0, r.stdout);
  });

  t.run();
}
