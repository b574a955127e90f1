// A stale repo is seen whatever its record says. A repo made by 0.1.0 whose record names this
// version (only "version" changed: what a Renovate pull request does when it cannot run the
// update task) has dozens of files older than the record claims. `outdated` compares the
// unedited files with what the recorded version writes and says behind (exit 1), naming a few;
// `check` over a fleet counts it behind in its JSON and SARIF. A repo this version made is
// neither (the control), and `update` makes the stale repo current.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { runCli } from '../support/cli.js';
import { extracted, packagesDir, releasedTarball, thisTreeTarball } from '../support/packages.js';
import { commitAll, edit, newRepo } from '../support/regen/repo.js';

const release010 = releasedTarball();
const cli010 = join(extracted(release010), 'dist/cli.cjs');
const packages = packagesDir([release010, thisTreeTarball(GENERATOR_VERSION)]);
const env = { GO_K8S_SERVICE_PACKAGES: packages };

/** A 0.1.0 repo, committed, whose record then had only its version bumped (and committed). */
async function bumpOnly(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-stale-')), 'orders');
  const r = await runCli([dir, '--yes', '--module', 'github.com/acme/orders', '--no-install'], { cli: cli010 });
  assert.is(r.exitCode, 0, r.stderr);
  edit(dir, '.go-k8s-service.json', '"version": "0.1.0"', `"version": "${GENERATOR_VERSION}"`);
  commitAll(dir, `chore(deps): update create-go-k8s-service to ${GENERATOR_VERSION}`);
  return dir;
}

test('outdated: a bump-only record is behind (exit 1), naming a few of the files older than it claims', async () => {
  const dir = await bumpOnly();
  const r = await runCli(['outdated', '--json'], { cwd: dir, env });
  assert.is(r.exitCode, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { recorded: string; latest: string; outdated: boolean; stale: { count: number; files: string[] } };
  assert.is(j.recorded, GENERATOR_VERSION);
  assert.is(j.latest, GENERATOR_VERSION);
  assert.is(j.outdated, true);
  assert.ok(j.stale.count >= 10, `only ${j.stale.count} stale`);
  assert.is(j.stale.files.length, 5);
  assert.ok(j.stale.files.includes('Makefile') || j.stale.count > 5);
  const human = await runCli(['outdated'], { cwd: dir, env });
  assert.is(human.exitCode, 1);
  assert.match(
    human.stdout,
    new RegExp(
      `the record says ${GENERATOR_VERSION.replaceAll('.', '\\.')}, but \\d+ unedited file\\(s\\) are not what it writes \\(.+ and \\d+ more\\)`,
    ),
  );
  assert.match(human.stdout, /update/);
});

test('check over a fleet: the bump-only repo is behind in the JSON and the SARIF, a current repo is not; update makes it current', async () => {
  const stale = await bumpOnly();
  const current = await newRepo({ git: true });
  const sarif = join(mkdtempSync(join(tmpdir(), 'cgks-stale-sarif-')), 'fleet.sarif');
  const r = await runCli(['check', '--json', '--sarif', sarif, stale, current], { env });
  const j = JSON.parse(r.stdout) as {
    summary: { behind: number };
    repos: { root: string; behind?: boolean; stale?: { count: number; files: string[] } }[];
  };
  assert.is(j.summary.behind, 1, r.stdout);
  const [s, c] = j.repos;
  assert.is(s!.behind, true);
  assert.ok(s!.stale && s!.stale.count >= 10 && s!.stale.files.length === 5, JSON.stringify(s!.stale));
  assert.not.ok(c!.behind);
  assert.is(c!.stale, undefined);
  const results = (
    JSON.parse(readFileSync(sarif, 'utf8')) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uriBaseId: string } } }[];
        }[];
      }[];
    }
  ).runs[0]!.results;
  const notes = results.filter((x) => x.ruleId === 'generator-version');
  assert.is(notes.length, 1);
  assert.is(notes[0]!.locations[0]!.physicalLocation.artifactLocation.uriBaseId, 'REPO1');
  assert.match(
    notes[0]!.message.text,
    new RegExp(`the record says ${GENERATOR_VERSION.replaceAll('.', '\\.')}, but \\d+ unedited file\\(s\\) are not what`),
  );

  // The remedy: update (from the bumped record: the unedited files are replaced), then nothing is stale.
  const u = await runCli(['update'], { cwd: stale, env });
  assert.is(u.exitCode, 0, u.stderr);
  execFileSync('git', ['add', '-A'], { cwd: stale });
  execFileSync('git', ['commit', '-qm', 'update'], { cwd: stale });
  const after = await runCli(['outdated', '--json'], { cwd: stale, env });
  assert.is(after.exitCode, 0, after.stdout);
  assert.is((JSON.parse(after.stdout) as { stale?: unknown }).stale, undefined);
});

test.run();
