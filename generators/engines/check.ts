// Checks a generated repo against the conventions the platform relies on, whatever its
// files look like now. Text only: no helm, docker or go needed, so it runs as a cheap CI step.
// The rules are one table: a rule is an id, a name and description (for --help and SARIF),
// what it needs, and a run that calls the modules of check/, one per file format.
import { checkConflictMarkers } from './check/markers.js';
import type { Answers } from '../model/questions.js';
import type { ActivePreset } from '../presets/model/preset.js';
import { RECORD_FILE, type RepoRecord } from '../model/record.js';
import { checkAdminPort, checkChartNonRoot, checkChartProbes } from './check/chart.js';
import { Checker } from './check/checker.js';
import { checkCiMake, ciFile } from './check/ci.js';
import { checkExpose, checkImageUser } from './check/dockerfile.js';
import { checkGitops, checkRenderedNonRoot, checkRenderedProbes } from './check/gitops.js';
import { checkGoLine } from './check/gomod.js';
import { checkMakefileTargets } from './check/makefile.js';
import { checkRecordFiles, readRecord } from './check/record.js';
import { findRepoRoot } from './repo.js';

export { CI_MAKE_TARGETS } from './check/ci.js';
export { dockerInstructions } from './check/dockerfile.js';
export { MAKE_TARGETS, makeTargets } from './check/makefile.js';
export { mergeValues } from './check/chart.js';

/** What a rule runs on: the repo's files, and the record with its answers when it reads. */
export interface RuleInput {
  record?: RepoRecord;
  answers?: Answers;
}

export interface CheckRule<Id extends string = string> {
  id: Id;
  /** A readable name (SARIF wants one beside the id). */
  name: string;
  /** What the rule asks, for --help, SARIF's rule list and anyone reading a report. */
  description: string;
  /**
   * files: runs on the files alone (and more with answers); answers: skipped when the record
   * cannot be read; preset: needs the recorded preset, so preset-check.ts runs it, not checkRepo.
   */
  needs: 'files' | 'answers' | 'preset';
  /** Why the rule does not apply to these answers (reported as skipped); undefined: it applies. */
  skip?: (a: Answers) => string | undefined;
  /** What checkRepo runs (none for a rule that needs the preset). */
  run?: (c: Checker, input: RuleInput) => void;
}

const rules = <const T extends readonly CheckRule[]>(table: T): T => table;

/** The rules, in the order they run and are listed. */
export const CHECK_RULES = rules([
  {
    id: 'record',
    name: 'RecordListsExistingFiles',
    description:
      'The record (.go-k8s-service.json) is valid and every file it lists exists, or is recorded as removed; the waivers (.go-k8s-service/waivers.yaml) are valid.',
    needs: 'files',
    run: (c, { record, answers }) => record && answers && checkRecordFiles(c, record, answers),
  },
  {
    id: 'makefile-targets',
    name: 'MakefileHasStandardTargets',
    description: 'The Makefile defines the standard targets that the platform and CI call by name.',
    needs: 'files',
    run: (c) => checkMakefileTargets(c),
  },
  {
    id: 'probes',
    name: 'ProbesUseHealthzAndReady',
    description:
      "The chart probes /healthz (liveness) and /ready (readiness, startup) with HTTP GET on the service's port, in every environment.",
    needs: 'answers',
    run: (c, { answers }) => {
      checkChartProbes(c, answers!);
      checkRenderedProbes(c, answers!);
    },
  },
  {
    id: 'non-root',
    name: 'ContainerRunsAsNonRoot',
    description: "The container runs as a numeric non-root user, in the image and in every environment's security context.",
    needs: 'files',
    run: (c, { answers }) => {
      checkImageUser(c);
      if (!answers) return;
      checkChartNonRoot(c, answers);
      checkRenderedNonRoot(c, answers);
    },
  },
  {
    id: 'expose',
    name: 'ImageExposesServicePort',
    description: 'The runtime image EXPOSEs the port the service listens on.',
    needs: 'answers',
    run: (c, { answers }) => checkExpose(c, answers!),
  },
  {
    id: 'ci-make',
    name: 'CiRunsThroughMake',
    description: 'CI runs the checks through make, so `make <target>` locally is what CI does.',
    needs: 'answers',
    skip: (a) => (ciFile(a) === undefined ? 'no CI file (--ci none)' : undefined),
    run: (c, { answers }) => checkCiMake(c, answers!),
  },
  {
    id: 'go-version',
    name: 'GoLineKeepsContainerAwareGomaxprocs',
    description: "go.mod's go line is new enough for container-aware GOMAXPROCS.",
    needs: 'files',
    run: (c) => checkGoLine(c),
  },
  {
    id: 'admin-port',
    name: 'MetricsStayOnTheAdminPort',
    description: 'Metrics (and pprof) are served on the admin port, which no Ingress, HTTPRoute or non-ClusterIP Service exposes.',
    needs: 'answers',
    run: (c, { answers }) => checkAdminPort(c, answers!),
  },
  {
    id: 'gitops',
    name: 'GitopsRendersAndPublishesByDigest',
    description:
      'With deploy=gitops: make manifests renders the environments, CI publishes them, and rendered Deployments pin the image by digest.',
    needs: 'answers',
    skip: (a) => (a.deploy !== 'gitops' ? 'deploy is helm' : undefined),
    run: (c, { answers }) => checkGitops(c, answers!),
  },
  {
    id: 'conflict-markers',
    name: 'GeneratedFilesHoldNoConflictMarkers',
    description: 'No generated file holds the conflict markers (<<<<<<< … ======= … >>>>>>>) of a merge nobody resolved.',
    needs: 'answers',
    run: (c, { record }) => checkConflictMarkers(c, record!),
  },
  {
    id: 'preset-lock',
    name: 'RecordKeepsPresetLocks',
    description:
      'Every answer the recorded preset locks has the locked value in the record (a hand edit cannot switch what the platform fixed).',
    needs: 'preset',
  },
]);

export type Rule = (typeof CHECK_RULES)[number]['id'];
export const RULES: readonly Rule[] = CHECK_RULES.map((r) => r.id);

export interface Violation {
  rule: Rule;
  /** Path relative to the repo root. */
  file: string;
  message: string;
  /** The line the violation is on, when one line holds it. */
  line?: number;
}

export interface CheckReport {
  root: string;
  /** The generator version the record names, when the record can be read. */
  generatorVersion?: string;
  ok: boolean;
  violations: Violation[];
  /** Rules that could not be checked (for want of a valid record) or do not apply. */
  skipped: { rule: Rule; reason: string }[];
  notes: string[];
  /** The recorded preset's convention ids, when it loaded: rules a waiver may name beside RULES. */
  presetRules?: string[];
  /** What each of those conventions asks (SARIF's rule list). */
  presetRuleDescriptions?: Record<string, string>;
  /** The recorded preset's waiver policy, and the preset that sets it (for messages). */
  waiverPolicy?: { preset: string; maxDays?: number; unwaivable: string[]; require: string[] };
}

/** `preset`: the repo's recorded preset, loaded (preset-check.ts): its files are generated files too. */
export function checkRepo(start: string, preset?: ActivePreset): CheckReport {
  const root = findRepoRoot(start);
  const c = new Checker(root);
  const loaded = readRecord(c, preset);
  const input: RuleInput = loaded ?? {};
  const skipped: CheckReport['skipped'] = [];
  for (const rule of CHECK_RULES as readonly CheckRule<Rule>[]) {
    if (rule.needs === 'preset') continue;
    const why = !input.answers
      ? rule.needs === 'answers'
        ? `needs the answers in ${RECORD_FILE}`
        : undefined
      : rule.skip?.(input.answers);
    if (why !== undefined) skipped.push({ rule: rule.id, reason: why });
    else rule.run!(c, input);
  }
  return {
    root,
    ...(loaded ? { generatorVersion: loaded.record.version } : {}),
    ok: c.violations.length === 0,
    violations: c.violations as Violation[],
    skipped,
    notes: c.notes,
  };
}
