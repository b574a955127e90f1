// Presets: a platform team's defaults, locked answers, questions, files, patches and
// conventions, driven through the built CLI with the example preset shipped in docs/.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../support/tools.js';
import { runCli } from '../support/cli.js';
import { readRecord } from '../fixtures/regen/repo.js';

export const EXAMPLE = join(repoRoot(), 'docs/example-preset');

/** A repo made with the example preset, `orders` of team payments, without git unless asked. */
export async function presetRepo(opts: { git?: boolean; args?: string[]; preset?: string } = {}): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-preset-')), 'orders');
  const r = await runCli([dir, '--yes', '--no-install', ...(opts.git ? [] : ['--no-git']), '--preset', opts.preset ?? EXAMPLE, '--set', 'team=payments', ...(opts.args ?? [])]);
  if (r.exitCode !== 0) throw new Error(`generating a repo with the preset failed (${r.exitCode}): ${r.stderr}`);
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

test('create --preset: the preset\'s defaults, locked CI, its files, patches and replaced template', async () => {
  const dir = await presetRepo();
  assert.match(read(dir, 'go.mod'), /^module gitlab\.acme\.dev\/services\/orders$/m);
  assert.match(read(dir, 'Makefile'), /^IMAGE \?= registry\.acme\.dev\/services\/orders$/m);
  assert.ok(existsSync(join(dir, '.gitlab-ci.yml')), 'ci is locked to gitlab');
  assert.not.ok(existsSync(join(dir, '.github')));
  assert.is(read(dir, 'CODEOWNERS'), '# Owners of orders: every change needs a review from the team.\n# Written by the @acme/go-service-preset preset 1.0.0.\n* @acme/payments\n');
  assert.match(read(dir, '.editorconfig'), /Acme house style/);
  const ci = parseYaml(read(dir, '.gitlab-ci.yml')) as { include: unknown[]; stages: string[] };
  assert.equal(ci.include, [{ project: 'acme/platform/ci-templates', ref: 'v3', file: '/go-service/security.yml' }]);
  assert.ok(ci.stages.includes('check'));
  const values = parseYaml(read(dir, 'charts/orders/values.yaml')) as { podLabels: Record<string, string> };
  assert.equal(values.podLabels, { team: 'payments', 'cost-centre': 'CC-0000' });
  assert.match(read(dir, 'Makefile'), /\ncost-centre: ## Print the cost centre this service is billed to\n\t@echo CC-0000\n$/);
  const record = readRecord(dir) as unknown as { preset: unknown; files: Record<string, string> };
  assert.equal(record.preset, { name: '@acme/go-service-preset', version: '1.0.0', source: relative(dir, EXAMPLE), answers: { team: 'payments', costCentre: 'CC-0000' } });
  assert.ok(record.files.CODEOWNERS);
});

test.run();
