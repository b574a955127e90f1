// check over a fleet: every repo checked on its own, one report for all of them, with the
// generator version each repo was made by, so drift and version lag read from one document.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CheckReport } from './check.js';
import { checkWithPreset } from './preset-check.js';
import { compareVersions } from '../model/record.js';
import { NotAGeneratedRepoError } from './repo.js';
import { applyWaivers, type WaivedReport } from './waivers.js';
import { GENERATOR_VERSION } from '../model/version.js';

export interface FleetRepo {
  /** As given: a command-line argument, or a line of the --repos file. */
  dir: string;
  /** The repo root found from it; absent when none was found. */
  root?: string;
  ok: boolean;
  generatorVersion?: string;
  /** Made by an older generator than the one checking: `update` brings its conventions. */
  behind?: boolean;
  /** Why the directory could not be checked at all. */
  error?: string;
  violations: CheckReport['violations'];
  /** Violations a live waiver in the repo accepts: reported, not failing. */
  waived: WaivedReport['waived'];
  skipped: CheckReport['skipped'];
  notes: string[];
  /** The recorded preset's conventions (id → what it asks), checked beside check's own rules. */
  presetRules?: Record<string, string>;
  /** Which repository and revision was checked, for reports read far from the checkout. */
  vcs?: { repositoryUri?: string; revisionId?: string };
}

export interface FleetReport {
  ok: boolean;
  generatorVersion: string;
  summary: {
    repos: number;
    ok: number;
    /** Repos with at least one violation. */
    failing: number;
    /** Directories that are not generated repos (or cannot be read). */
    unreadable: number;
    behind: number;
    violations: number;
    /** Violations per rule. */
    rules: Record<string, number>;
    /** Repos per recorded generator version. */
    versions: Record<string, number>;
  };
  repos: FleetRepo[];
}

/** The repos a --repos file lists: one path per line, blank lines and # comments skipped, relative to the file. */
export function readRepoList(file: string): { dir: string; path: string }[] {
  const text = readFileSync(file, 'utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((dir) => ({ dir, path: resolve(dirname(file), dir) }));
}

function checkOne(dir: string, path: string): FleetRepo {
  let report: WaivedReport;
  try {
    report = applyWaivers(checkWithPreset(path));
  } catch (err) {
    if (!(err instanceof NotAGeneratedRepoError)) throw err;
    return { dir, ok: false, error: err.message, violations: [], waived: [], skipped: [], notes: [] };
  }
  const version = report.generatorVersion;
  return {
    dir,
    root: report.root,
    ok: report.ok,
    ...(version ? { generatorVersion: version, behind: compareVersions(version, GENERATOR_VERSION) < 0 } : {}),
    violations: report.violations,
    waived: report.waived,
    skipped: report.skipped,
    notes: report.notes,
    ...(report.presetRuleDescriptions ? { presetRules: report.presetRuleDescriptions } : {}),
    vcs: repoIdentity(report.root),
  };
}

const git = (root: string, args: string[]): string | undefined => {
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
};

/** The repo's origin as an absolute URI (scp-like `git@host:path` becomes ssh://), and HEAD. */
function repoIdentity(root: string): FleetRepo['vcs'] {
  const remote = git(root, ['remote', 'get-url', 'origin']);
  const scp = remote && /^([\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(remote);
  const uri = scp ? `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]}` : remote && /^[a-z][a-z0-9+.-]*:\/\//i.test(remote) ? remote : undefined;
  const revision = git(root, ['rev-parse', '--verify', '-q', 'HEAD']);
  return { ...(uri ? { repositoryUri: uri } : {}), ...(revision ? { revisionId: revision } : {}) };
}

const count = (m: Record<string, number>, key: string) => {
  m[key] = (m[key] ?? 0) + 1;
};

export function checkFleet(targets: readonly { dir: string; path: string }[]): FleetReport {
  const repos = targets.map((t) => checkOne(t.dir, t.path));
  const rules: Record<string, number> = {};
  const versions: Record<string, number> = {};
  for (const r of repos) {
    for (const v of r.violations) count(rules, v.rule);
    if (r.generatorVersion) count(versions, r.generatorVersion);
  }
  return {
    ok: repos.every((r) => r.ok),
    generatorVersion: GENERATOR_VERSION,
    summary: {
      repos: repos.length,
      ok: repos.filter((r) => r.ok).length,
      failing: repos.filter((r) => !r.error && !r.ok).length,
      unreadable: repos.filter((r) => r.error).length,
      behind: repos.filter((r) => r.behind).length,
      violations: repos.reduce((n, r) => n + r.violations.length, 0),
      rules,
      versions,
    },
    repos,
  };
}
