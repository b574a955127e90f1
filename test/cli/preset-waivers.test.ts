// Waiver policy: a preset caps how long a waiver may last, names rules no waiver may touch and
// fields every waiver must have; `record` and `preset-lock` cannot be waived at all. A waiver
// that breaks the policy waives nothing and is reported by check under `record` (which no
// waiver can hide). SARIF lists every rule a result names, waived preset conventions included,
// carries each repo's identity, and Microsoft's validator with GitHub's rules finds nothing.
// test-budget: 240 s
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { ensureTools, toolPath } from '../support/tools.js';
import { commitAll, edit } from '../support/regen/repo.js';
import { presetCopy, presetRepo } from '../support/preset.js';

const WAIVERS = '.go-k8s-service/waivers.yaml';
const TODAY = '2026-12-07';
const env = { CGKS_TODAY: TODAY };

const policy = () =>
  presetCopy((d) => {
    const manifest = join(d, 'go-k8s-service-preset.yaml');
    writeFileSync(
      manifest,
      `${readFileSync(manifest, 'utf8')}\nwaivers:\n  maxDays: 90\n  unwaivable: [no-latest-tag]\n  require: [file, message]\n`,
    );
  });

function waive(dir: string, entries: string[]): void {
  mkdirSync(join(dir, '.go-k8s-service'), { recursive: true });
  writeFileSync(join(dir, WAIVERS), `waivers:\n${entries.join('')}`);
}
const entry = (fields: Record<string, string>) =>
  `  - ${Object.entries({ acceptedBy: 'jane@acme.example', reason: 'the platform agreed in OPS-42', ...fields })
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n    ')}\n`;

interface Json {
  ok: boolean;
  violations: { rule: string; file: string; message: string }[];
  waived: { rule: string }[];
}
async function check(dir: string) {
  const r = await runCli(['check', '--json'], { cwd: dir, env });
  return { code: r.exitCode, json: JSON.parse(r.stdout) as Json, stderr: r.stderr };
}

/** A repo made with the policy preset whose chart lacks the team label and whose Dockerfile uses :latest. */
async function brokenRepo(preset = policy()): Promise<string> {
  const dir = await presetRepo({ preset, git: true });
  edit(dir, 'charts/orders/values.yaml', /^ {2}team: .*\n/m, '');
  edit(dir, 'Dockerfile', /^FROM \$\{RUNTIME_IMAGE\}$/m, 'FROM registry.acme.example/base:latest');
  commitAll(dir, 'deviate');
  return dir;
}

test('a policy-abiding waiver of a preset convention waives it', async () => {
  const dir = await brokenRepo();
  waive(dir, [entry({ rule: 'team-label', file: 'charts/orders/values.yaml', message: 'team label', until: '2027-01-31' })]);
  const r = await check(dir);
  assert.equal(
    r.json.waived.map((w) => w.rule),
    ['team-label'],
  );
  assert.equal(
    r.json.violations.map((v) => v.rule),
    ['no-latest-tag'],
  );
});

for (const [what, fields, message] of [
  [
    'longer than maxDays',
    { rule: 'team-label', file: 'charts/orders/values.yaml', message: 'team label', until: '9999-12-31' },
    /^waiver 1: until 9999-12-31 is more than 90 days after today \(2026-12-07\); preset @acme\/go-service-preset 1\.0\.0 allows at most 90$/,
  ],
  [
    'of an unwaivable preset rule',
    { rule: 'no-latest-tag', file: 'Dockerfile', message: 'pinned', until: '2027-01-31' },
    /^waiver 1: rule no-latest-tag cannot be waived \(preset @acme\/go-service-preset 1\.0\.0\)$/,
  ],
  [
    'without a required field',
    { rule: 'team-label', message: 'team label', until: '2027-01-31' },
    /^waiver 1: file is missing; preset @acme\/go-service-preset 1\.0\.0 requires file, message$/,
  ],
  [
    'whose message matches any text',
    { rule: 'team-label', file: 'charts/orders/values.yaml', message: '.*', until: '2027-01-31' },
    /^waiver 1: message "\.\*" matches any text; name the violation it accepts$/,
  ],
] as const) {
  test(`a waiver ${what} waives nothing and is reported under record`, async () => {
    const dir = await brokenRepo();
    waive(dir, [entry(fields)]);
    const r = await check(dir);
    assert.is(r.code, 1);
    assert.equal(r.json.waived, []);
    const record = r.json.violations.filter((v) => v.rule === 'record');
    assert.is(record.length, 1, JSON.stringify(r.json.violations));
    assert.is(record[0]!.file, WAIVERS);
    assert.match(record[0]!.message, message);
    assert.ok(
      r.json.violations.some((v) => v.rule === fields.rule),
      'the violation still counts',
    );
  });
}

test('record and preset-lock cannot be waived, with or without a preset', async () => {
  const dir = await brokenRepo(presetCopy(() => {}));
  waive(dir, [entry({ rule: 'record', until: '2027-01-31' }), entry({ rule: 'preset-lock', until: '2027-01-31' })]);
  const r = await check(dir);
  const record = r.json.violations.filter((v) => v.rule === 'record').map((v) => v.message);
  assert.equal(record, [
    'waiver 1: rule record cannot be waived (it guards the record and the waivers themselves)',
    'waiver 2: rule preset-lock cannot be waived (it guards the record and the waivers themselves)',
  ]);
});

test('a bad policy in the manifest is refused when the preset loads: one line, exit 2', async () => {
  for (const [yaml, message] of [
    ['waivers:\n  maxDays: -1\n', /waivers\.maxDays must be a whole number of days from 1$/],
    ['waivers:\n  unwaivable: [nope]\n', /waivers\.unwaivable: "nope" is not a rule of check or of this preset/],
    ['waivers:\n  require: [file, colour]\n', /waivers\.require: "colour" is not a waiver field that may be required \(file, message\)$/],
    ['waivers:\n  maxdays: 3\n', /waivers: unknown key "maxdays" \(known: maxDays, unwaivable, require\)$/],
  ] as const) {
    const preset = presetCopy((d) => {
      const manifest = join(d, 'go-k8s-service-preset.yaml');
      writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\n${yaml}`);
    });
    const parent = mkdtempSync(join(tmpdir(), 'cgks-waiver-policy-'));
    const r = await runCli([join(parent, 'orders'), '--yes', '--no-git', '--no-install', '--preset', preset, '--set', 'team=payments']);
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr.trim(), message);
  }
});

interface Sarif {
  runs: {
    tool: { driver: { rules: { id: string; help?: { text: string } }[] } };
    originalUriBaseIds?: Record<string, { uri: string; uriBaseId?: string }>;
    versionControlProvenance?: { repositoryUri: string; revisionId?: string; mappedTo?: { uriBaseId: string } }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      suppressions?: unknown[];
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
    }[];
  }[];
}

// One run for the fleet (code scanning refuses several runs of one tool and category in one
// upload): each repo is a versionControlProvenance entry mapped to a base id of its own, and
// every result's path is relative to its repo's base id.
test('SARIF: a waived preset convention has its rule in tool.driver.rules; each repo is named by repository and revision; paths are relative to their repo; the validator finds nothing', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-waiver-sarif-'));
  const dirs: string[] = [];
  for (const name of ['orders', 'billing']) {
    const dir = await brokenRepo();
    execFileSync('git', ['remote', 'add', 'origin', `https://git.acme.example/services/${name}.git`], { cwd: dir });
    waive(dir, [entry({ rule: 'team-label', file: 'charts/orders/values.yaml', message: 'team label', until: '2027-01-31' })]);
    commitAll(dir, 'waive');
    dirs.push(dir);
  }
  writeFileSync(join(parent, 'repos.txt'), `${dirs.join('\n')}\n`);
  const file = join(parent, 'fleet.sarif');
  const r = await runCli(['check', '--repos', join(parent, 'repos.txt'), '--sarif', file], { cwd: parent, env });
  assert.is(r.exitCode, 1, r.stderr);
  const log = JSON.parse(readFileSync(file, 'utf8')) as Sarif;
  assert.is(log.runs.length, 1);
  const run = log.runs[0]!;
  const ids = run.tool.driver.rules.map((x) => x.id);
  const provenance = run.versionControlProvenance ?? [];
  assert.equal(
    provenance.map((p) => [p.repositoryUri, p.revisionId]),
    dirs.map((d, i) => [
      `https://git.acme.example/services/${['orders', 'billing'][i]}.git`,
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: d, encoding: 'utf8' }).trim(),
    ]),
  );
  const bases = provenance.map((p) => p.mappedTo?.uriBaseId);
  for (const base of bases) assert.ok(base && run.originalUriBaseIds?.[base], `base ${base} is declared`);
  for (const res of run.results) {
    assert.ok(res.ruleIndex >= 0, `${res.ruleId} has no rule entry`);
    assert.is(ids[res.ruleIndex], res.ruleId);
    const loc = res.locations[0]!.physicalLocation.artifactLocation;
    assert.ok(bases.includes(loc.uriBaseId), `${loc.uri} is relative to a repo (${loc.uriBaseId})`);
    assert.not.ok(loc.uri.startsWith('..') || loc.uri.startsWith('/'), loc.uri);
  }
  for (const base of bases)
    assert.ok(
      run.results.some(
        (x) =>
          x.ruleId === 'team-label' && x.suppressions?.length === 1 && x.locations[0]!.physicalLocation.artifactLocation.uriBaseId === base,
      ),
    );
  assert.ok(run.tool.driver.rules.find((x) => x.id === 'team-label')?.help?.text);
  await ensureTools(['sarif-multitool']);
  const out = `${file}.validation.sarif`;
  const v = await execa(toolPath('sarif-multitool'), ['validate', '--rule-kind', 'Gh;Sarif', '-o', out, file], { reject: false });
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  const findings = (
    JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { level?: string; message?: unknown }[] }[] }
  ).runs.flatMap((x) => x.results ?? []);
  assert.equal(
    findings.filter((f) => f.level === 'error' || f.level === 'warning' || f.level === undefined),
    [],
    JSON.stringify(findings, null, 1),
  );
});

test("check counts the preset's conventions in its summary", async () => {
  const dir = await presetRepo({ preset: presetCopy(() => {}) });
  const r = await runCli(['check'], { cwd: dir, env });
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  // check's own rules that apply, and the preset's two conventions.
  const own = await runCli(['check'], {
    cwd: await presetRepo({
      preset: presetCopy((d) =>
        writeFileSync(
          join(d, 'go-k8s-service-preset.yaml'),
          readFileSync(join(d, 'go-k8s-service-preset.yaml'), 'utf8').replace(/\nconventions:[\s\S]*$/, '\n'),
        ),
      ),
    }),
    env,
  });
  const ownText = own.stdout + own.stderr;
  const n = (s: string) => Number(/all (\d+) conventions hold/.exec(s)?.[1]);
  assert.is(n(r.stdout + r.stderr), n(ownText) + 2, `${r.stdout}${r.stderr}\n${ownText}`);
});

test.run();
