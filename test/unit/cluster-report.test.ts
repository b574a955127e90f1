// The real-cluster suite's report writer (test/cluster/support/report.ts): each test file's
// section lands in its own JSON file, and report.md / report.json are rendered again from every
// section present, checks first (PASS, FAIL, SKIP), then every figure, formatted by its unit.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFigure, ReportSection, type Section } from '../cluster/support/report.js';
import { verdict } from '../cluster/support/verdicts.js';

test("two files' sections make one report: checks first, then each section's figures and tables", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-cluster-report-'));
  try {
    const rolling = new ReportSection('rolling', 'Rolling update under load');
    rolling.expect('failed requests during two helm upgrades', '0', verdict('0 of 12,000', []));
    // (uvu's assert.throws lets an assertion error through, so by hand)
    let failed = '';
    try {
      rolling.expect('resets', '0', verdict('3', ['three connections reset by the old pods']));
    } catch (e) {
      failed = (e as Error).message;
    }
    assert.match(failed, 'resets: 3\nthree connections reset by the old pods');
    rolling.figure('p99 during the roll', 12.345, 'ms');
    rolling.table('Phases', ['phase', 'requests', 'p99'], [['upgrade 1', 6000, '11.0 ms']]);
    rolling.note('kube-proxy in iptables mode');
    rolling.write(dir);
    const faults = new ReportSection('faults', 'Faults');
    faults.skipped('OOM kill', 'OOMKilled', 'no memory cgroup');
    faults.figure('peak memory', 120 * 1024 * 1024, 'bytes');
    const md = readFileSync(faults.write(dir), 'utf8');

    const checks = md.slice(md.indexOf('## Checks'), md.indexOf('## Faults'));
    assert.match(checks, '- **SKIP** Faults: OOM kill: not run (expected OOMKilled). no memory cgroup');
    assert.match(checks, '- **PASS** Rolling update under load: failed requests during two helm upgrades: 0 of 12,000 (expected 0)');
    assert.match(checks, '- **FAIL** Rolling update under load: resets: 3 (expected 0). three connections reset by the old pods');
    assert.match(md, '| p99 during the roll | 12.3 ms |');
    assert.match(md, '| peak memory | 125,829,120 B (120.00 MiB) |');
    assert.match(md, '### Phases\n\n| phase | requests | p99 |\n|---|---|---|\n| upgrade 1 | 6000 | 11.0 ms |');
    assert.match(md, '- kube-proxy in iptables mode');
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { sections: Section[] };
    assert.equal(
      json.sections.map((s) => s.id),
      ['faults', 'rolling'],
    );
    assert.is(json.sections[1]!.figures[0]!.value, 12.345);

    // A file run again replaces its own section only.
    const again = new ReportSection('rolling', 'Rolling update under load');
    again.expect('failed requests during two helm upgrades', '0', verdict('0 of 9,000', []));
    const md2 = readFileSync(again.write(dir), 'utf8');
    assert.not.match(md2, '0 of 12,000');
    assert.match(md2, '0 of 9,000');
    assert.match(md2, 'OOM kill');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("figures are formatted by unit; a table cell's pipe is escaped", () => {
  assert.is(formatFigure({ name: 'a', value: 3.456, unit: 's' }), '3.46 s');
  assert.is(formatFigure({ name: 'a', value: 35.2, unit: 's' }), '35.2 s');
  assert.is(formatFigure({ name: 'a', value: 1234, unit: 'count' }), '1,234');
  assert.is(formatFigure({ name: 'a', value: 2, unit: 'restarts' }), '2 restarts');
  assert.is(formatFigure({ name: 'a', value: 'OOMKilled' }), 'OOMKilled');
  const dir = mkdtempSync(join(tmpdir(), 'cgks-cluster-report-'));
  try {
    const s = new ReportSection('x', 'X');
    s.figure('a|b', 'c|d');
    assert.match(readFileSync(s.write(dir), 'utf8'), '| a\\|b | c\\|d |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('judge(): a body that finds a problem, or throws, makes a FAIL line and fails; one that finds none passes', async () => {
  const s = new ReportSection('x', 'X');
  await s.judge('finds none', 'ok', async () => 'measured 1');
  let threw = '';
  try {
    await s.judge('finds one', 'ok', async (problems) => {
      problems.push('pod a not Ready');
      return 'measured 2';
    });
  } catch (e) {
    threw = (e as Error).message;
  }
  assert.match(threw, 'pod a not Ready');
  await s
    .judge('breaks off', 'ok', async () => {
      throw new Error('helm install exited with 1');
    })
    .then(
      () => assert.unreachable('a body that threw passed'),
      (e: Error) => assert.match(e.message, 'helm install exited with 1'),
    );
  assert.equal(
    s.section.checks.map((c) => [c.name, c.pass, c.measured, c.why ?? '']),
    [
      ['finds none', true, 'measured 1', ''],
      ['finds one', false, 'measured 2', 'pod a not Ready'],
      ['breaks off', false, 'broke off', 'helm install exited with 1'],
    ],
  );
});

/** Checks in a test file's source whose outcome is written down rather than computed. */
function hardCodedChecks(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\.check\(/g)) found.push(text.slice(m.index, m.index + 60));
  for (const m of text.matchAll(/verdict\((?:[^()]|\([^()]*\))*?,\s*\[\s*\]\s*\)/g)) found.push(m[0].slice(0, 80));
  for (const m of text.matchAll(/problems:\s*\[\s*\]/g)) found.push(text.slice(m.index, m.index + 40));
  return found;
}

test('the hard-coded-check scan finds each kind it looks for (its negative controls)', () => {
  assert.is(hardCodedChecks("c.report.check('x', 'y', 'z', true);").length, 1);
  assert.is(hardCodedChecks("c.report.expect('x', 'y', verdict(`${n} pods (${m})`, []));").length, 1);
  assert.is(hardCodedChecks("c.report.expect('x', 'y', { measured: 'ok', problems: [] });").length, 1);
  assert.is(hardCodedChecks("c.report.expect('x', 'y', verdict(`${n} pods`, n === 3 ? [] : ['not 3']));").length, 0);
});

test('no check of the cluster suite is hard-coded: no report.check(), no verdict with a literal empty problem list', () => {
  const dir = fileURLToPath(new URL('../cluster/', import.meta.url));
  const offenders = readdirSync(dir)
    .filter((x) => x.endsWith('.test.ts'))
    .flatMap((f) => hardCodedChecks(readFileSync(join(dir, f), 'utf8')).map((h) => `${f}: ${h}`));
  assert.equal(offenders, []);
});

test.run();
