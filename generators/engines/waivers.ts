// Accepted deviations: a repo records in WAIVERS_FILE that a convention is knowingly broken
// (which rule, optionally which file or message, who accepted it, why, until when). A file
// of its own, not a key of the record: a waiver shows in a PR as a diff of that file (which
// CODEOWNERS can give to the platform team), YAML lets it carry comments, and regen and
// update, which rewrite the record and the generated files, never write it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RULES, type CheckReport, type Rule, type Violation } from './check.js';

export const WAIVERS_FILE = '.go-k8s-service/waivers.yaml';

export interface Waiver {
  rule: Rule;
  /** Only violations in this file (repo-relative). */
  file?: string;
  /** Only violations whose message matches this regular expression. */
  message?: string;
  acceptedBy: string;
  reason: string;
  /** The last day the waiver holds (YYYY-MM-DD). */
  until: string;
}

export interface WaivedViolation extends Violation {
  waiver: Pick<Waiver, 'acceptedBy' | 'reason' | 'until'>;
}

export interface WaivedReport extends CheckReport {
  waived: WaivedViolation[];
}

const KEYS = ['rule', 'file', 'message', 'acceptedBy', 'reason', 'until'] as const;
const REQUIRED: Record<'acceptedBy' | 'reason' | 'until', string> = {
  acceptedBy: 'who accepted the deviation',
  reason: 'why the deviation is accepted',
  until: 'the last day the waiver holds, YYYY-MM-DD',
};

/** A YYYY-MM-DD string that names a real day. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Today in UTC; CGKS_TODAY (YYYY-MM-DD) sets it, for tests only. */
export function today(): string {
  const forced = process.env.CGKS_TODAY;
  if (forced !== undefined) {
    if (!isIsoDate(forced)) throw new Error(`CGKS_TODAY: ${JSON.stringify(forced)} is not a date (YYYY-MM-DD)`);
    return forced;
  }
  return new Date().toISOString().slice(0, 10);
}

const show = (v: unknown) => JSON.stringify(v);

/** Rules no waiver may touch: they guard the record, the locks and the waivers themselves. */
export const UNWAIVABLE: readonly string[] = ['record', 'preset-lock'];

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** Why a well-formed waiver breaks the policy (built-in, and the recorded preset's), or undefined. */
function policyProblem(w: Waiver, policy: CheckReport['waiverPolicy'], day: string): string | undefined {
  if (UNWAIVABLE.includes(w.rule)) return `rule ${w.rule} cannot be waived (it guards the record and the waivers themselves)`;
  if (!policy) return undefined;
  const who = `preset ${policy.preset}`;
  if (policy.unwaivable.includes(w.rule)) return `rule ${w.rule} cannot be waived (${who})`;
  const missing = policy.require.find((k) => w[k as 'file' | 'message'] === undefined);
  if (missing) return `${missing} is missing; ${who} requires ${policy.require.join(', ')}`;
  if (policy.require.includes('message') && new RegExp(w.message!).test(''))
    return `message ${show(w.message)} matches any text; name the violation it accepts`;
  if (policy.maxDays !== undefined && daysBetween(day, w.until) > policy.maxDays) {
    return `until ${w.until} is more than ${policy.maxDays} days after today (${day}); ${who} allows at most ${policy.maxDays}`;
  }
  return undefined;
}

/** One waiver from YAML, or the one line that says what is wrong with it. */
function parseWaiver(raw: unknown, presetRules: readonly string[]): Waiver | string {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'must be a mapping with rule, acceptedBy, reason and until';
  const w = raw as Record<string, unknown>;
  const unknown = Object.keys(w).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) return `unknown key ${show(unknown)} (known: ${KEYS.join(', ')})`;
  const known = `check (${RULES.join(', ')})${presetRules.length ? ` or of the preset (${presetRules.join(', ')})` : ''}`;
  if (w.rule === undefined || w.rule === null || w.rule === '') return `rule is missing (a rule of ${known})`;
  if (![...RULES, ...presetRules].includes(w.rule as string)) return `rule ${show(w.rule)} is not a rule of ${known}`;
  // A YAML 1.1 reader may turn an unquoted date into a timestamp.
  if (w.until instanceof Date) w.until = w.until.toISOString().slice(0, 10);
  for (const [key, what] of Object.entries(REQUIRED)) {
    const v = w[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return `${key} is missing (${what})`;
    if (typeof v !== 'string') return `${key} must be text, not ${show(v)}`;
  }
  if (!isIsoDate(w.until as string)) return `until ${show(w.until)} is not a date (YYYY-MM-DD)`;
  for (const key of ['file', 'message'] as const) {
    if (w[key] !== undefined && (typeof w[key] !== 'string' || w[key] === '')) return `${key} must be non-empty text, not ${show(w[key])}`;
  }
  if (typeof w.message === 'string') {
    try {
      new RegExp(w.message);
    } catch (err) {
      return `message ${show(w.message)} is not a regular expression: ${(err as Error).message}`;
    }
  }
  return w as unknown as Waiver;
}

/** The waivers the repo records (by their 1-based position), and one problem line per bad entry. */
export function readWaivers(
  root: string,
  presetRules: readonly string[] = [],
  policy?: CheckReport['waiverPolicy'],
  day: string = today(),
): { waivers: { n: number; waiver: Waiver }[]; problems: string[] } {
  const path = join(root, WAIVERS_FILE);
  if (!existsSync(path)) return { waivers: [], problems: [] };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'), { uniqueKeys: true });
  } catch (err) {
    return { waivers: [], problems: [`is not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  const list = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { waivers?: unknown }).waivers : undefined;
  if (!Array.isArray(list)) return { waivers: [], problems: ['must hold `waivers:`, a list of waivers'] };
  const waivers: { n: number; waiver: Waiver }[] = [];
  const problems: string[] = [];
  list.forEach((raw, i) => {
    const parsed = parseWaiver(raw, presetRules);
    const problem = typeof parsed === 'string' ? parsed : policyProblem(parsed, policy, day);
    if (problem !== undefined) problems.push(`waiver ${i + 1}: ${problem}`);
    else waivers.push({ n: i + 1, waiver: parsed as Waiver });
  });
  return { waivers, problems };
}

const matches = (w: Waiver, v: Violation) =>
  w.rule === v.rule && (w.file === undefined || w.file === v.file) && (w.message === undefined || new RegExp(w.message).test(v.message));

const label = (n: number, w: Waiver) => `waiver ${n} (${[w.rule, w.file, w.message && `/${w.message}/`].filter(Boolean).join(', ')})`;

/**
 * The report with the repo's waivers applied: a violation a live waiver matches moves to
 * `waived`; an expired waiver waives nothing and says so; an unused one is a note. Problems
 * in the waivers file are record violations, which no waiver can waive.
 */
export function applyWaivers(report: CheckReport, day: string = today()): WaivedReport {
  const { waivers, problems } = readWaivers(report.root, report.presetRules, report.waiverPolicy, day);
  const violations: Violation[] = [];
  const waived: WaivedViolation[] = [];
  const used = new Set<number>();
  const expiredHit = new Set<number>();
  for (const v of report.violations) {
    const hits = waivers.filter(({ waiver }) => matches(waiver, v));
    const live = hits.find(({ waiver }) => waiver.until >= day);
    for (const h of hits) (h.waiver.until >= day ? used : expiredHit).add(h.n);
    if (live) {
      const { acceptedBy, reason, until } = live.waiver;
      waived.push({ ...v, waiver: { acceptedBy, reason, until } });
    } else {
      violations.push(v);
    }
  }
  const notes = [...report.notes];
  for (const { n, waiver } of waivers) {
    if (used.has(n)) continue;
    if (expiredHit.has(n))
      notes.push(`${label(n, waiver)} accepted by ${waiver.acceptedBy} expired on ${waiver.until}: the violation counts again`);
    else if (waiver.until < day)
      notes.push(`${label(n, waiver)} expired on ${waiver.until} and matches no violation: remove it from ${WAIVERS_FILE}`);
    else notes.push(`${label(n, waiver)} matches no violation: remove it from ${WAIVERS_FILE}`);
  }
  for (const p of problems) violations.push({ rule: 'record', file: WAIVERS_FILE, message: p });
  return { ...report, ok: violations.length === 0, violations, waived, notes };
}

/** How a waived violation's acceptance reads, in human output and SARIF's justification. */
export const acceptance = (w: WaivedViolation['waiver']): string => `accepted by ${w.acceptedBy} until ${w.until}: ${w.reason}`;
