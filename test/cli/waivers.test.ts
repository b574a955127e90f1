// Accepted deviations: a repo records, in .go-k8s-service/waivers.yaml, that a convention is
// knowingly broken (which rule, who accepted it, why, until when). check reports a waived
// violation as waived (exit 0), brings it back when the waiver expires, names a bad waiver
// in one line, warns about a waiver that matches nothing, and marks waived results in SARIF
// as suppressed (what GitHub code scanning reads), valid by Microsoft's SARIF validator.
// test-budget: 180 s
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { ensureTools, toolPath } from '../support/tools.js';
import { edit, newRepo, read } from '../support/regen/repo.js';
import { presetRepo } from '../support/preset.js';

const WAIVERS = '.go-k8s-service/waivers.yaml';
const CHART = 'charts/orders';
let fresh: string | undefined;

/** A copy of one generated repo whose Dockerfile has no USER line (a non-root violation). */
async function rootContainer(): Promise<string> {
  fresh ??= await newRepo();
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-waivers-')), 'orders');
  cpSync(fresh, dir, { recursive: true });
  edit(dir, 'Dockerfile', /^USER .*\n/m, '');
  return dir;
}

function waive(dir: string, yaml: string): void {
  mkdirSync(join(dir, '.go-k8s-service'), { recursive: true });
  writeFileSync(join(dir, WAIVERS), yaml);
}

const nonRootWaiver = (until: string, extra = '') =>
  `# Accepted deviations from the conventions check enforces.\nwaivers:\n  - rule: non-root\n    file: Dockerfile\n${extra}    acceptedBy: jane@acme.example\n    reason: the legacy agent needs root until it is replaced (OPS-42)\n    until: ${until}\n`;

interface Json {
  ok: boolean;
  violations: { rule: string; file: string; message: string }[];
  waived: { rule: string; file: string; message: string; waiver: { acceptedBy: string; reason: string; until: string } }[];
  notes: string[];
}

async function check(dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; json: Json; stderr: string }> {
  const r = await runCli(['check', '--json'], { cwd: dir, env });
  return { code: r.exitCode, json: JSON.parse(r.stdout) as Json, stderr: r.stderr };
}

test('a waived violation is reported as waived, with who, why and until; exit 0', async () => {
  const dir = await rootContainer();
  assert.is((await check(dir)).code, 1, 'the violation fails check without a waiver');
  waive(dir, nonRootWaiver('2999-12-31'));
  const r = await check(dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.json.ok, true);
  assert.equal(r.json.violations, []);
  assert.equal(
    r.json.waived.map((w) => [w.rule, w.file, w.waiver]),
    [
      [
        'non-root',
        'Dockerfile',
        { acceptedBy: 'jane@acme.example', reason: 'the legacy agent needs root until it is replaced (OPS-42)', until: '2999-12-31' },
      ],
    ],
  );
  assert.match(r.json.waived[0]!.message, /no USER line/);
  const human = await runCli(['check'], { cwd: dir });
  assert.is(human.exitCode, 0, human.stderr);
  assert.match(
    human.stdout,
    /^~ non-root +waived: the runtime stage has no USER line.* \(accepted by jane@acme\.example until 2999-12-31: the legacy agent needs root until it is replaced \(OPS-42\)\)$/m,
  );
  assert.match(human.stdout, /^✔ \.: all \d+ conventions hold \(1 violation waived\)$/m);
});

test('a waiver covers only its rule (and file): other violations still fail', async () => {
  const dir = await rootContainer();
  edit(dir, 'Dockerfile', /^EXPOSE 8080$/m, 'EXPOSE 9090');
  waive(dir, nonRootWaiver('2999-12-31'));
  const r = await check(dir);
  assert.is(r.code, 1);
  assert.equal(
    r.json.violations.map((v) => v.rule),
    ['expose'],
  );
  assert.equal(
    r.json.waived.map((v) => v.rule),
    ['non-root'],
  );
});

test('a message pattern narrows a waiver to the violations it matches', async () => {
  const dir = await rootContainer();
  edit(dir, `${CHART}/values.yaml`, /runAsNonRoot: true/g, 'runAsNonRoot: false');
  // Without file and message: both non-root violations (Dockerfile and values.yaml) are waived.
  waive(dir, nonRootWaiver('2999-12-31').replace('    file: Dockerfile\n', ''));
  let r = await check(dir);
  assert.is(r.code, 0, JSON.stringify(r.json));
  assert.is(r.json.waived.length, 2);
  waive(dir, nonRootWaiver('2999-12-31', '    message: no USER line\n').replace('    file: Dockerfile\n', ''));
  r = await check(dir);
  assert.is(r.code, 1);
  assert.equal(
    r.json.violations.map((v) => [v.rule, v.file]),
    [['non-root', `${CHART}/values.yaml`]],
  );
  assert.equal(
    r.json.waived.map((v) => v.file),
    ['Dockerfile'],
  );
});

test('an expired waiver no longer waives: the violation is back, with a line naming the waiver and when it expired', async () => {
  const dir = await rootContainer();
  waive(dir, nonRootWaiver('2026-06-30'));
  // The last day of a waiver still counts; the day after, it has expired.
  assert.is((await check(dir, { CGKS_TODAY: '2026-06-30' })).code, 0);
  const r = await check(dir, { CGKS_TODAY: '2026-07-01' });
  assert.is(r.code, 1);
  assert.equal(
    r.json.violations.map((v) => v.rule),
    ['non-root'],
  );
  assert.equal(r.json.waived, []);
  assert.ok(
    r.json.notes.some((n) =>
      /^waiver 1 \(non-root, Dockerfile\) accepted by jane@acme\.example expired on 2026-06-30: the violation counts again$/.test(n),
    ),
    r.json.notes.join('\n'),
  );
  const human = await runCli(['check'], { cwd: dir, env: { CGKS_TODAY: '2026-07-01' } });
  assert.is(human.exitCode, 1);
  assert.match(human.stderr, /waiver 1 \(non-root, Dockerfile\) accepted by jane@acme\.example expired on 2026-06-30/);
  assert.match(human.stdout, /^✖ non-root /m);
});

test('a waiver that matches nothing is reported as unused: a warning, not a failure', async () => {
  fresh ??= await newRepo();
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-waivers-')), 'orders');
  cpSync(fresh, dir, { recursive: true });
  waive(dir, nonRootWaiver('2999-12-31'));
  const r = await check(dir);
  assert.is(r.code, 0);
  assert.ok(
    r.json.notes.some((n) =>
      /^waiver 1 \(non-root, Dockerfile\) matches no violation: remove it from \.go-k8s-service\/waivers\.yaml$/.test(n),
    ),
    r.json.notes.join('\n'),
  );
  const human = await runCli(['check'], { cwd: dir });
  assert.is(human.exitCode, 0);
  assert.match(human.stderr, /^warning: waiver 1 \(non-root, Dockerfile\) matches no violation/m);
});

const bad: [string, string, RegExp][] = [
  [
    'an unknown rule',
    nonRootWaiver('2999-12-31').replace('rule: non-root', 'rule: no-root'),
    /^waiver 1: rule "no-root" is not a rule of check \(record, makefile-targets, .*\)$/,
  ],
  [
    'no acceptedBy',
    nonRootWaiver('2999-12-31').replace(/ {4}acceptedBy: .*\n/, ''),
    /^waiver 1: acceptedBy is missing \(who accepted the deviation\)$/,
  ],
  [
    'an empty reason',
    nonRootWaiver('2999-12-31').replace(/reason: .*/, 'reason: ""'),
    /^waiver 1: reason is missing \(why the deviation is accepted\)$/,
  ],
  [
    'no until',
    nonRootWaiver('2999-12-31').replace(/ {4}until: .*\n/, ''),
    /^waiver 1: until is missing \(the last day the waiver holds, YYYY-MM-DD\)$/,
  ],
  ['an invalid date', nonRootWaiver('2026-02-30'), /^waiver 1: until "2026-02-30" is not a date \(YYYY-MM-DD\)$/],
  [
    'an unknown key',
    nonRootWaiver('2999-12-31', '    ticket: OPS-42\n'),
    /^waiver 1: unknown key "ticket" \(known: rule, file, message, acceptedBy, reason, until\)$/,
  ],
  [
    'a message pattern that is not a regular expression',
    nonRootWaiver('2999-12-31', '    message: "("\n'),
    /^waiver 1: message "\(" is not a regular expression/,
  ],
  ['no waivers list', 'rule: non-root\n', /^must hold `waivers:`, a list of waivers$/],
  ['not YAML', 'waivers: [\n', /^is not valid YAML: /],
];

for (const [what, yaml, message] of bad) {
  test(`a bad waivers file is a record violation in one line: ${what}`, async () => {
    const dir = await rootContainer();
    waive(dir, yaml);
    const r = await check(dir);
    assert.is(r.code, 1);
    const record = r.json.violations.filter((v) => v.rule === 'record');
    assert.is(record.length, 1, JSON.stringify(r.json.violations));
    assert.is(record[0]!.file, WAIVERS);
    assert.match(record[0]!.message, message);
    assert.not.match(record[0]!.message, /\n/);
    // A waiver that cannot be read waives nothing.
    assert.ok(r.json.violations.some((v) => v.rule === 'non-root'));
  });
}

test("a preset's convention can be waived by its id; an id neither check nor the preset knows is named with both", async () => {
  const dir = await presetRepo();
  edit(dir, 'Dockerfile', 'FROM ${RUNTIME_IMAGE}\n', 'FROM alpine:latest\n');
  assert.equal(
    (await check(dir)).json.violations.map((v) => v.rule),
    ['no-latest-tag'],
  );
  const waiver = (rule: string) =>
    `waivers:\n  - rule: ${rule}\n    file: Dockerfile\n    acceptedBy: jane@acme.example\n    reason: the vendor image has no other tag (OPS-7)\n    until: 2999-12-31\n`;
  waive(dir, waiver('no-latest-tag'));
  const r = await check(dir);
  assert.is(r.code, 0, JSON.stringify(r.json));
  assert.equal(
    r.json.waived.map((w) => [w.rule, w.file]),
    [['no-latest-tag', 'Dockerfile']],
  );
  waive(dir, waiver('no-latest-tags'));
  const typo = await check(dir);
  assert.is(typo.code, 1);
  const record = typo.json.violations.filter((v) => v.rule === 'record');
  assert.is(record.length, 1, JSON.stringify(typo.json.violations));
  assert.match(
    record[0]!.message,
    /^waiver 1: rule "no-latest-tags" is not a rule of check \(record, .*\) or of the preset \(team-label, no-latest-tag\)$/,
  );
});

test('a fleet: waived violations per repo in JSON, and the repo counts as holding', async () => {
  fresh ??= await newRepo();
  const root = mkdtempSync(join(tmpdir(), 'cgks-waivers-fleet-'));
  cpSync(fresh, join(root, 'a'), { recursive: true });
  cpSync(await rootContainer(), join(root, 'b'), { recursive: true });
  waive(join(root, 'b'), nonRootWaiver('2999-12-31'));
  const r = await runCli(['check', 'a', 'b', '--json'], { cwd: root });
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { summary: { ok: number }; repos: { dir: string; waived: { rule: string }[] }[] };
  assert.is(doc.summary.ok, 2);
  assert.equal(
    doc.repos.map((x) => [x.dir, x.waived.map((w) => w.rule)]),
    [
      ['a', []],
      ['b', ['non-root']],
    ],
  );
  const human = await runCli(['check', 'a', 'b'], { cwd: root });
  assert.match(human.stdout, /^~ b: non-root +Dockerfile: waived: .*accepted by jane@acme\.example until 2999-12-31/m);
});

test('SARIF: a waived violation is a suppressed result (external, accepted, with the justification), valid by the SARIF validator', async () => {
  const dir = await rootContainer();
  edit(dir, 'Dockerfile', /^EXPOSE 8080$/m, 'EXPOSE 9090');
  waive(dir, nonRootWaiver('2999-12-31'));
  const file = join(dir, '..', 'check.sarif');
  const r = await runCli(['check', '--sarif', file], { cwd: dir });
  assert.is(r.exitCode, 1, 'the expose violation is not waived');
  const log = JSON.parse(readFileSync(file, 'utf8')) as {
    runs: { results: { ruleId: string; suppressions?: { kind: string; status: string; justification: string }[] }[] }[];
  };
  const results = log.runs[0]!.results;
  assert.equal(results.map((x) => [x.ruleId, x.suppressions?.length ?? 0]).sort(), [
    ['expose', 0],
    ['non-root', 1],
  ]);
  assert.equal(results.find((x) => x.ruleId === 'non-root')!.suppressions, [
    {
      kind: 'external',
      status: 'accepted',
      justification: 'accepted by jane@acme.example until 2999-12-31: the legacy agent needs root until it is replaced (OPS-42)',
    },
  ]);
  await ensureTools(['sarif-multitool']);
  const out = `${file}.validation.sarif`;
  const v = await execa(toolPath('sarif-multitool'), ['validate', '--rule-kind', 'Gh;Sarif', '-o', out, file], { reject: false });
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  const findings = (JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { level?: string }[] }[] }).runs.flatMap(
    (x) => x.results ?? [],
  );
  assert.equal(
    findings.filter((f) => f.level === 'error' || f.level === 'warning' || f.level === undefined),
    [],
    JSON.stringify(findings, null, 1),
  );
});

test('regen and update leave the waivers file alone (it is not a generated file)', async () => {
  const dir = await newRepo({ git: true });
  waive(dir, nonRootWaiver('2999-12-31'));
  await execa('git', ['add', '-A'], { cwd: dir });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'waive'], { cwd: dir });
  const before = read(dir, WAIVERS);
  for (const args of [['regen', 'go', 'docs', 'dockerfile', 'chart', 'makefile', 'ci', 'config', '--force'], ['update']]) {
    const r = await runCli(args, { cwd: dir });
    assert.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.is(read(dir, WAIVERS), before, `${args.join(' ')} kept the waivers file`);
  }
});

test.run();
