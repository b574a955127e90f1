// The real-cluster suite's report, in the style of `npm run bench` (bench/report.ts): checks as
// PASS/FAIL lines first, then every figure. Each test file runs in its own process and writes
// its own section (SECTION.json); after each write, report.md and report.json are rendered
// again from every section present, so the report always holds the latest run of each file.
// Where: $CGKS_CLUSTER_REPORT or test/cluster/.report/ (ignored by git).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { fmtBytes, fmtMs } from '../../../bench/lib/util.js';
import type { Verdict } from './verdicts.js';

export interface Check {
  name: string;
  measured: string;
  limit: string;
  /** undefined: not run (the reason in why). */
  pass: boolean | undefined;
  why?: string;
}

export interface Figure {
  name: string;
  value: number | string;
  /** ms, bytes, s, count or free text; drives formatting. */
  unit?: 'ms' | 'bytes' | 's' | 'count' | string;
  note?: string;
}

export interface Table {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

export interface Section {
  id: string;
  title: string;
  startedAt: string;
  durationSeconds: number;
  machine: Record<string, string | number>;
  checks: Check[];
  figures: Figure[];
  tables: Table[];
  notes: string[];
}

export const reportDir = (): string => process.env.CGKS_CLUSTER_REPORT || fileURLToPath(new URL('../.report/', import.meta.url));

function machine(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a checkout
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    commit,
  };
}

/** Collects one test file's checks and figures; write() renders the whole report. */
export class ReportSection {
  readonly section: Section;
  private readonly t0 = Date.now();

  constructor(id: string, title: string) {
    this.section = {
      id,
      title,
      startedAt: new Date().toISOString(),
      durationSeconds: 0,
      machine: machine(),
      checks: [],
      figures: [],
      tables: [],
      notes: [],
    };
  }

  /** A check that was not run (pass undefined), with the reason; a run check goes through expect(). */
  skipped(name: string, limit: string, why: string): void {
    this.section.checks.push({ name, measured: 'not run', limit, pass: undefined, why });
  }

  /**
   * Records V as the check NAME (PASS only when it has no problem), then asserts it: the report
   * line and the test's outcome are one judgement, and a failing check is in the report too.
   */
  expect(name: string, limit: string, v: Verdict): void {
    const pass = v.problems.length === 0;
    this.section.checks.push({ name, measured: v.measured, limit, pass, ...(pass ? {} : { why: v.problems.join('; ') }) });
    assert.equal(v.problems, [], `${name}: ${v.measured}\n${v.problems.join('\n')}`);
  }

  /**
   * Runs BODY, which pushes each problem it finds and resolves with what it measured; an error it
   * throws is a problem too. Then expect()s the verdict: a check that broke off still has its line.
   */
  async judge(name: string, limit: string, body: (problems: string[]) => Promise<string>): Promise<void> {
    const problems: string[] = [];
    let measured: string;
    try {
      measured = await body(problems);
    } catch (e) {
      measured = 'broke off';
      problems.push((e as Error).message);
    }
    this.expect(name, limit, { measured, problems });
  }

  figure(name: string, value: number | string, unit?: Figure['unit'], note?: string): void {
    this.section.figures.push({ name, value, ...(unit ? { unit } : {}), ...(note ? { note } : {}) });
  }

  table(title: string, header: string[], rows: (string | number)[][]): void {
    this.section.tables.push({ title, header, rows });
  }

  note(text: string): void {
    this.section.notes.push(text);
  }

  /** Writes SECTION.json and renders report.md / report.json from every section; returns report.md's path. */
  write(dir = reportDir()): string {
    this.section.durationSeconds = (Date.now() - this.t0) / 1000;
    this.section.machine.loadAtEnd = loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${this.section.id}.json`), JSON.stringify(this.section, null, 2) + '\n');
    return writeReport(dir);
  }
}

/** Reads every section in DIR and writes report.md and report.json; returns report.md's path. */
export function writeReport(dir = reportDir()): string {
  const sections = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'report.json')
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Section);
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ sections }, null, 2) + '\n');
  const md = join(dir, 'report.md');
  writeFileSync(md, renderReport(sections));
  return md;
}

const mark = (p: boolean | undefined) => (p === undefined ? 'SKIP' : p ? 'PASS' : 'FAIL');
const esc = (s: string | number) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatFigure(f: Figure): string {
  if (typeof f.value === 'string') return f.value;
  switch (f.unit) {
    case 'ms':
      return fmtMs(f.value);
    case 'bytes':
      return `${f.value.toLocaleString('en-US')} B (${fmtBytes(f.value)})`;
    case 's':
      return `${f.value.toFixed(f.value < 10 ? 2 : 1)} s`;
    case 'count':
    case undefined:
      return f.value.toLocaleString('en-US', { maximumFractionDigits: 2 });
    default:
      return `${f.value.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${f.unit}`;
  }
}

export function renderReport(sections: readonly Section[]): string {
  const L: string[] = ['# create-go-k8s-service real-cluster report', ''];
  L.push(
    'The generated service and its chart on a real single-node Kubernetes on this machine (`npm run test:cluster`). ' +
      'Each section is the latest run of one test file; its machine line says when and where it ran.',
    '',
  );
  L.push('## Checks', '');
  for (const s of sections)
    for (const c of s.checks)
      L.push(`- **${mark(c.pass)}** ${s.title}: ${c.name}: ${c.measured} (expected ${c.limit})${c.why ? `. ${c.why}` : ''}`);
  L.push('');
  for (const s of sections) {
    const m = s.machine;
    L.push(`## ${s.title} (${s.id})`, '');
    L.push(
      `Run ${s.startedAt}, ${s.durationSeconds.toFixed(0)} s, on ${m.cpus}× ${m.cpuModel}, Linux ${m.kernel}, Node ${m.node}, commit ${m.commit}; ` +
        `load average ${m.load} at the start, ${m.loadAtEnd ?? 'n/a'} at the end.`,
      '',
    );
    if (s.figures.length) {
      L.push('| figure | value | note |', '|---|---:|---|');
      for (const f of s.figures) L.push(`| ${esc(f.name)} | ${esc(formatFigure(f))} | ${esc(f.note ?? '')} |`);
      L.push('');
    }
    for (const t of s.tables) {
      L.push(`### ${t.title}`, '', `| ${t.header.map(esc).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`);
      for (const r of t.rows) L.push(`| ${r.map(esc).join(' | ')} |`);
      L.push('');
    }
    for (const n of s.notes) L.push(`- ${n}`);
    if (s.notes.length) L.push('');
  }
  L.push('Raw figures: `report.json` beside this file.', '');
  return L.join('\n');
}
