// Checks a generated repo against the conventions the platform relies on, whatever its
// files look like now: standard Makefile targets, probes on /healthz and /ready at the
// service's port, a non-root container, EXPOSE of the port, CI calling the Makefile,
// a go line that keeps container-aware GOMAXPROCS, metrics on the admin port only, and a
// usable record. Text only: no helm, docker or go needed, so it runs as a cheap CI step.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MIN_GO_MINOR } from '../model/validate.js';
import { filesFor, outputPath } from '../model/files.js';
import type { Answers } from '../model/questions.js';
import { compareVersions, parseRecord, RECORD_FILE, RecordError, type RepoRecord } from '../model/record.js';
import { findRepoRoot, recordAnswers } from './repo.js';
import { GENERATOR_VERSION } from '../model/version.js';

export const RULES = ['record', 'makefile-targets', 'probes', 'non-root', 'expose', 'ci-make', 'go-version', 'admin-port', 'gitops', 'preset-lock'] as const;
export type Rule = (typeof RULES)[number];

/** What each rule asks, for SARIF's rule list and anyone reading a report. */
export const RULE_DESCRIPTIONS: Record<Rule, string> = {
  record: 'The record (.go-k8s-service.json) is valid and every file it lists exists, or is recorded as removed; the waivers (.go-k8s-service/waivers.yaml) are valid.',
  'makefile-targets': 'The Makefile defines the standard targets that the platform and CI call by name.',
  probes: 'The chart probes /healthz (liveness) and /ready (readiness, startup) with HTTP GET on the service\'s port, in every environment.',
  'non-root': 'The container runs as a numeric non-root user, in the image and in every environment\'s security context.',
  expose: 'The runtime image EXPOSEs the port the service listens on.',
  'ci-make': 'CI runs the checks through make, so `make <target>` locally is what CI does.',
  'go-version': 'go.mod\'s go line is new enough for container-aware GOMAXPROCS.',
  'admin-port': 'Metrics (and pprof) are served on the admin port, which no Ingress, HTTPRoute or non-ClusterIP Service exposes.',
  gitops: 'With deploy=gitops: make manifests renders the environments, CI publishes them, and rendered Deployments pin the image by digest.',
  'preset-lock': 'Every answer the recorded preset locks has the locked value in the record (a hand edit cannot switch what the platform fixed).',
};

/** Every generated service has these; the platform and CI call them by name. */
export const MAKE_TARGETS = [
  'help', 'build', 'run', 'test', 'vet', 'lint', 'fmt', 'tidy', 'vuln',
  'docker-build', 'docker-push', 'helm-lint', 'helm-template', 'clean',
] as const;
/** What CI must run through make, so `make <target>` locally is what CI does. */
export const CI_MAKE_TARGETS = ['vet', 'lint', 'test', 'build', 'helm-lint', 'helm-template', 'vuln'] as const;

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

class Checker {
  readonly violations: Violation[] = [];
  readonly skipped: CheckReport['skipped'] = [];
  readonly notes: string[] = [];

  generatorVersion?: string;
  constructor(readonly root: string) {}

  fail(rule: Rule, file: string, message: string, line?: number): void {
    this.violations.push({ rule, file, message, ...(line ? { line } : {}) });
  }

  /** The file's text, or a violation saying it is missing. */
  read(rule: Rule, file: string): string | undefined {
    const p = join(this.root, file);
    if (!existsSync(p)) {
      this.fail(rule, file, `${file} is missing`);
      return undefined;
    }
    return readFileSync(p, 'utf8');
  }
}

export function checkRepo(start: string): CheckReport {
  const root = findRepoRoot(start);
  const c = new Checker(root);
  const answers = checkRecord(c);
  checkMakefile(c);
  checkGoMod(c);
  if (answers) {
    checkDockerfile(c, answers);
    checkChart(c, answers);
    checkAdminPort(c, answers);
    checkCi(c, answers);
    checkGitops(c, answers);
  } else {
    for (const rule of ['probes', 'expose', 'ci-make', 'admin-port', 'gitops'] as const) c.skipped.push({ rule, reason: `needs the answers in ${RECORD_FILE}` });
    checkDockerfile(c, undefined);
  }
  return {
    root,
    ...(c.generatorVersion ? { generatorVersion: c.generatorVersion } : {}),
    ok: c.violations.length === 0,
    violations: c.violations,
    skipped: c.skipped,
    notes: c.notes,
  };
}

// ---- record ---------------------------------------------------------------------------

function checkRecord(c: Checker): Answers | undefined {
  let record: RepoRecord;
  let answers: Answers;
  try {
    record = parseRecord(readFileSync(join(c.root, RECORD_FILE), 'utf8'));
    answers = recordAnswers(record);
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    c.fail('record', RECORD_FILE, err.message.replace(`${RECORD_FILE}: `, ''));
    return undefined;
  }
  c.generatorVersion = record.version;
  if (compareVersions(record.version, GENERATOR_VERSION) > 0) {
    c.notes.push(`${RECORD_FILE} was written by ${record.version}, newer than this checker (${GENERATOR_VERSION})`);
  }
  const generated = new Set(filesFor(answers).map((f) => outputPath(f, answers)));
  for (const path of Object.keys(record.files)) {
    if (!existsSync(join(c.root, path))) {
      c.fail(
        'record',
        path,
        `${path} is listed in ${RECORD_FILE} but missing: \`regen ${path}\` recreates it, or \`create-go-k8s-service remove ${path}\` records that you removed it on purpose`,
      );
    } else if (!generated.has(path) && record.version === GENERATOR_VERSION) {
      // Another version's file table may differ, so only this version can tell.
      c.fail('record', path, `${path} is listed in ${RECORD_FILE} but not generated with its answers`);
    }
  }
  return answers;
}

// ---- Makefile -------------------------------------------------------------------------

/** Targets a Makefile defines: `a b: deps` and `a::` rules, not variables, not .SPECIAL targets. */
export function makeTargets(text: string): Set<string> {
  const targets = new Set<string>();
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of logical) {
    if (/^\t/.test(line) || /^\s*#/.test(line)) continue;
    const m = /^([^:#=\s][^:#=]*?)\s*::?(?![=:])/.exec(line);
    if (!m) continue;
    // `target: VAR := value` (target-specific variables) still defines the target.
    for (const t of m[1]!.trim().split(/\s+/)) if (!t.startsWith('.') && !t.includes('%') && !t.includes('$')) targets.add(t);
  }
  return targets;
}

function checkMakefile(c: Checker): void {
  const text = c.read('makefile-targets', 'Makefile');
  if (text === undefined) return;
  const have = makeTargets(text);
  const missing = MAKE_TARGETS.filter((t) => !have.has(t));
  if (missing.length > 0) c.fail('makefile-targets', 'Makefile', `Makefile lacks the standard target(s): ${missing.join(', ')}`);
}

// ---- go.mod ---------------------------------------------------------------------------

function checkGoMod(c: Checker): void {
  const text = c.read('go-version', 'go.mod');
  if (text === undefined) return;
  const m = /^go\s+(\d+)\.(\d+)(?:\.\d+)?(?:\S*)\s*(?:\/\/.*)?$/m.exec(text);
  if (!m) {
    c.fail('go-version', 'go.mod', `go.mod has no go line; it needs go 1.${MIN_GO_MINOR} or newer (container-aware GOMAXPROCS)`);
    return;
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 1 || (major === 1 && minor < MIN_GO_MINOR)) {
    c.fail('go-version', 'go.mod', `go.mod says go ${m[1]}.${m[2]}; it needs 1.${MIN_GO_MINOR} or newer, or GOMAXPROCS ignores the container's CPU limit`);
  }
}

// ---- Dockerfile -----------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

function checkDockerfile(c: Checker, a: Answers | undefined): void {
  const text = c.read('non-root', 'Dockerfile');
  if (text === undefined) {
    if (a) c.fail('expose', 'Dockerfile', 'Dockerfile is missing');
    return;
  }
  const all = dockerInstructions(text);
  const lastFrom = all.map((x) => x.keyword).lastIndexOf('FROM');
  const runtime = all.slice(lastFrom + 1);

  const users = runtime.filter((x) => x.keyword === 'USER');
  const user = users.at(-1);
  if (!user) {
    c.fail('non-root', 'Dockerfile', 'the runtime stage has no USER line: the container runs as root (use USER 65532:65532)');
  } else {
    const name = user.args.split(':')[0]!;
    if (!/^\d+$/.test(name)) {
      c.fail('non-root', 'Dockerfile', `USER ${user.args} (line ${user.line}) is not numeric: Kubernetes' runAsNonRoot cannot verify a user name (use USER 65532:65532)`, user.line);
    } else if (Number(name) === 0) {
      c.fail('non-root', 'Dockerfile', `USER ${user.args} (line ${user.line}) runs the container as root`, user.line);
    }
  }

  if (!a) return;
  const exposes = runtime.filter((x) => x.keyword === 'EXPOSE');
  const exposed = exposes.flatMap((x) => x.args.split(/\s+/)).map((p) => p.replace(/\/tcp$/i, ''));
  if (exposed.length === 0) c.fail('expose', 'Dockerfile', `the runtime stage has no EXPOSE; the service listens on ${a.port} (EXPOSE ${a.port})`);
  else if (!exposed.includes(String(a.port))) {
    c.fail('expose', 'Dockerfile', `EXPOSE ${exposed.join(' ')} does not include the service's port ${a.port}`, exposes.at(-1)!.line);
  }
}

// ---- chart ----------------------------------------------------------------------------

interface ProbeSpec {
  key: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  paths: readonly string[];
  required: boolean;
}
const PROBES: readonly ProbeSpec[] = [
  { key: 'livenessProbe', paths: ['/healthz'], required: true },
  { key: 'readinessProbe', paths: ['/ready'], required: true },
  { key: 'startupProbe', paths: ['/healthz', '/ready'], required: false },
];

/** The lines indented under `key:` in a template that is not YAML (Go template syntax). */
function blockUnder(text: string, key: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => new RegExp(`^\\s*${key}:\\s*$`).test(l));
  if (i < 0) return undefined;
  const indent = /^\s*/.exec(lines[i]!)![0].length;
  const body: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (l.trim() !== '' && /^\s*/.exec(l)![0].length <= indent) break;
    body.push(l);
  }
  return body.join('\n');
}

const scalar = (s: string | undefined) => s?.trim().replace(/^["']|["']$/g, '');

/** Helm's merge of a values file over the chart's: maps merge, `null` removes a key, the rest replaces. */
export function mergeValues(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = mergeValues(base[k], v);
  }
  return out;
}

type Values = Record<string, unknown>;

/** The chart's values files: values.yaml first, then each values-<env>.yaml (and any other values-*.yaml). */
function valuesFiles(c: Checker, dir: string): string[] {
  const abs = join(c.root, dir);
  const envs = existsSync(abs) ? readdirSync(abs).filter((f) => /^values-[^/]+\.ya?ml$/.test(f)).sort() : [];
  return [`${dir}/values.yaml`, ...envs.map((f) => `${dir}/${f}`)];
}

function checkChart(c: Checker, a: Answers): void {
  const dir = `charts/${a.name}`;
  const deploymentFile = `${dir}/templates/deployment.yaml`;
  const [valuesFile, ...envFiles] = valuesFiles(c, dir) as [string, ...string[]];
  const valuesText = c.read('probes', valuesFile);
  const deployment = c.read('probes', deploymentFile);
  if (valuesText === undefined || deployment === undefined) return;
  const parse = (file: string, text: string): Values | undefined => {
    try {
      return (parseYaml(text) ?? {}) as Values;
    } catch (err) {
      c.fail('probes', file, `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };
  const values = parse(valuesFile, valuesText);
  if (values === undefined) return;
  // Each environment renders the chart with values.yaml and its own file merged over it. A
  // violation values.yaml already has is reported once, for values.yaml.
  const base = new Checker(c.root);
  checkChartValues(base, a, deployment, deploymentFile, values, valuesFile);
  c.violations.push(...base.violations);
  const seen = new Set(base.violations.map((v) => `${v.rule} ${v.message}`));
  for (const file of envFiles) {
    const env = parse(file, readFileSync(join(c.root, file), 'utf8'));
    if (env === undefined) continue;
    const one = new Checker(c.root);
    checkChartValues(one, a, deployment, deploymentFile, mergeValues(values, env) as Values, file);
    const label = file.slice(dir.length + 1);
    for (const v of one.violations) {
      if (seen.has(`${v.rule} ${v.message}`)) continue;
      c.fail(v.rule, v.file, `${label}: ${v.message}`);
    }
  }
}

/** The probe and non-root conventions for the chart rendered with these values. */
function checkChartValues(c: Checker, a: Answers, deployment: string, deploymentFile: string, values: Values, valuesFile: string): void {
  const get = (obj: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

  // The container's port named http, which the probes use by name.
  const portsBlock = /-\s*name:\s*"?http"?\s*\n\s*containerPort:\s*(.+)|-\s*containerPort:\s*(.+)\n\s*name:\s*"?http"?/.exec(deployment);
  const portExpr = scalar(portsBlock?.[1] ?? portsBlock?.[2]);
  let httpPort: number | undefined;
  if (portExpr === undefined) {
    c.fail('probes', deploymentFile, `${deploymentFile} has no container port named http`);
  } else if (/^\{\{-?\s*\.Values\.containerPort\s*-?\}\}$/.test(portExpr)) {
    httpPort = Number(values.containerPort);
    if (httpPort !== a.port) c.fail('probes', valuesFile, `containerPort is ${String(values.containerPort)}, but the service listens on ${a.port}`);
  } else if (/^\d+$/.test(portExpr)) {
    httpPort = Number(portExpr);
    if (httpPort !== a.port) c.fail('probes', deploymentFile, `the http container port is ${portExpr}, but the service listens on ${a.port}`);
  } else {
    c.fail('probes', deploymentFile, `the http container port is ${portExpr}; expected .Values.containerPort or ${a.port}`);
  }

  for (const p of PROBES) {
    let probe: unknown;
    let file = valuesFile;
    if (new RegExp(`\\.Values\\.${p.key}\\b`).test(deployment)) {
      probe = values[p.key];
    } else {
      const block = blockUnder(deployment, p.key);
      file = deploymentFile;
      if (block !== undefined) {
        const path = scalar(/^\s*path:\s*(.+)$/m.exec(block)?.[1]);
        const port = scalar(/^\s*port:\s*(.+)$/m.exec(block)?.[1]);
        probe = path !== undefined || port !== undefined ? { httpGet: { path, port } } : {};
      }
    }
    if (probe === undefined || probe === null) {
      if (p.required) c.fail('probes', file, `no ${p.key}: it must be an HTTP GET of ${p.paths[0]} on port ${a.port}`);
      continue;
    }
    const path = get(probe, 'httpGet', 'path');
    const port = get(probe, 'httpGet', 'port');
    if (path === undefined) {
      c.fail('probes', file, `${p.key} is not an HTTP GET: it must get ${p.paths[0]} on port ${a.port}`);
      continue;
    }
    if (!p.paths.includes(String(path))) c.fail('probes', file, `${p.key} gets ${String(path)}; it must get ${p.paths.join(' or ')}`);
    const portOk = port === 'http' ? httpPort === a.port || httpPort === undefined : Number(port) === a.port;
    if (!portOk) c.fail('probes', file, `${p.key} uses port ${String(port)}; it must use the http port (${a.port})`);
  }

  if (a.metrics) {
    if (values.adminPort === undefined || values.adminPort === null) {
      c.fail('admin-port', valuesFile, 'no adminPort: metrics need a port of their own, off the http port');
    } else if (Number(values.adminPort) === (httpPort ?? a.port)) {
      c.fail('admin-port', valuesFile, `adminPort is ${String(values.adminPort)}, the http port too: metrics would be public`);
    }
  }

  // Pod Security "restricted" needs runAsNonRoot; either level of securityContext will do.
  const nonRoot = (key: 'podSecurityContext' | 'securityContext'): boolean =>
    new RegExp(`\\.Values\\.${key}\\b`).test(deployment) && get(values, key, 'runAsNonRoot') === true;
  const literalNonRoot = /^\s*runAsNonRoot:\s*true\s*$/m.test(deployment);
  if (!nonRoot('podSecurityContext') && !nonRoot('securityContext') && !literalNonRoot) {
    c.fail('non-root', valuesFile, 'neither securityContext nor podSecurityContext sets runAsNonRoot: true');
  }
  for (const key of ['podSecurityContext', 'securityContext']) {
    if (get(values, key, 'runAsUser') === 0) c.fail('non-root', valuesFile, `${key}.runAsUser is 0 (root)`);
  }
}

// ---- admin port -----------------------------------------------------------------------

/** Metrics (and pprof) stay on the admin port: served there, scraped there, never routed from outside. */
function checkAdminPort(c: Checker, a: Answers): void {
  const templates = `charts/${a.name}/templates`;
  const optional = (file: string): string | undefined =>
    existsSync(join(c.root, file)) ? readFileSync(join(c.root, file), 'utf8') : undefined;
  for (const name of ['ingress.yaml', 'httproute.yaml']) {
    const file = `${templates}/${name}`;
    const text = optional(file);
    if (text !== undefined && /\.Values\.adminPort\b|^\s*(?:-\s*)?(?:name|port):\s*"?admin"?\s*$/m.test(text)) {
      c.fail('admin-port', file, `${name} routes the admin port: metrics and pprof must not be reachable from outside the cluster`);
    }
  }
  if (!a.metrics) return;
  const monitorFile = `${templates}/servicemonitor.yaml`;
  const monitor = optional(monitorFile);
  const scraped = monitor === undefined ? undefined : scalar(/^\s*-\s*port:\s*(.+)$/m.exec(monitor)?.[1]);
  if (scraped !== undefined && scraped !== 'admin') {
    c.fail('admin-port', monitorFile, `servicemonitor.yaml scrapes port ${scraped}; metrics are on the admin port`);
  }
  const appFile = 'internal/app/app.go';
  const app = optional(appFile);
  if (app !== undefined && /\bs\.mux\.Handle(?:Func)?\("(?:GET )?\/metrics"/.test(app)) {
    c.fail('admin-port', appFile, `${appFile} serves /metrics on the public port; serve it on s.admin (ADMIN_PORT)`);
  }
}

// ---- CI -------------------------------------------------------------------------------

function checkCi(c: Checker, a: Answers): void {
  const file = a.ci === 'github' ? '.github/workflows/ci.yml' : a.ci === 'gitlab' ? '.gitlab-ci.yml' : undefined;
  if (!file) {
    c.skipped.push({ rule: 'ci-make', reason: 'no CI file (--ci none)' });
    return;
  }
  const text = c.read('ci-make', file);
  if (text === undefined) return;
  const code = text
    .split(/\r?\n/)
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  // `make <target>` on one line, after optional VAR=value and -flags; `apk add make` ends its line.
  const called = new Set(
    [...code.matchAll(/(?:^|[\s;&|(])make[ \t]+(?:[A-Za-z_][A-Za-z0-9_]*=\S*[ \t]+|-\S+[ \t]+)*([a-z][a-z0-9_-]*)/gm)].map((m) => m[1]!),
  );
  const missing = CI_MAKE_TARGETS.filter((t) => !called.has(t));
  if (missing.length > 0) c.fail('ci-make', file, `${file} does not run ${missing.map((t) => `make ${t}`).join(', ')}`);
  const makefile = existsSync(join(c.root, 'Makefile')) ? makeTargets(readFileSync(join(c.root, 'Makefile'), 'utf8')) : undefined;
  if (makefile) {
    const unknown = [...called].filter((t) => !makefile.has(t));
    if (unknown.length > 0) c.fail('ci-make', file, `${file} runs ${unknown.map((t) => `make ${t}`).join(', ')}, which the Makefile does not define`);
  }
}

// ---- GitOps (deploy=gitops) -------------------------------------------------------------

/** Where `make manifests` writes each environment's objects. */
const MANIFESTS_DIR = 'dist/manifests';

function checkGitops(c: Checker, a: Answers): void {
  if (a.deploy !== 'gitops') {
    c.skipped.push({ rule: 'gitops', reason: 'deploy is helm' });
    return;
  }
  const makefile = existsSync(join(c.root, 'Makefile')) ? makeTargets(readFileSync(join(c.root, 'Makefile'), 'utf8')) : undefined;
  if (makefile && !makefile.has('manifests')) {
    c.fail('gitops', 'Makefile', 'the Makefile has no manifests target: make manifests ENV=<env> DIGEST=sha256:... renders what the environment repository holds');
  }
  c.read('gitops', 'scripts/render-manifests.go');
  c.read('gitops', 'scripts/publish-manifests.sh');
  const ci = a.ci === 'github' ? '.github/workflows/ci.yml' : a.ci === 'gitlab' ? '.gitlab-ci.yml' : undefined;
  if (ci && existsSync(join(c.root, ci))) {
    const code = readFileSync(join(c.root, ci), 'utf8').split(/\r?\n/).filter((l) => !/^\s*#/.test(l)).join('\n');
    if (!/scripts\/publish-manifests\.sh\b/.test(code)) c.fail('gitops', ci, `${ci} does not run scripts/publish-manifests.sh: nothing publishes the rendered environments`);
  }
  // The rendered output, when there is some: the conventions hold for what the cluster gets.
  const out = join(c.root, MANIFESTS_DIR);
  const envs = existsSync(out) ? readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
  let deployments = 0;
  for (const env of envs) {
    for (const f of readdirSync(join(out, env)).filter((n) => /^deployment-.*\.ya?ml$/.test(n)).sort()) {
      deployments++;
      checkRenderedDeployment(c, a, env, `${MANIFESTS_DIR}/${env}/${f}`);
    }
  }
  if (deployments === 0) c.notes.push(`no rendered manifests in ${MANIFESTS_DIR}: make manifests ENV=<env> DIGEST=sha256:... lets check read them too`);
}

/** probes, non-root and the image by digest in one rendered Deployment. */
function checkRenderedDeployment(c: Checker, a: Answers, env: string, file: string): void {
  let obj: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    obj = parseYaml(readFileSync(join(c.root, file), 'utf8'));
  } catch (err) {
    c.fail('gitops', file, `${env}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  const pod = obj?.spec?.template?.spec;
  const container = pod?.containers?.[0];
  if (!container) {
    c.fail('probes', file, `${env}: the Deployment has no container`);
    return;
  }
  const http = (container.ports ?? []).find((p: { name?: string }) => p.name === 'http')?.containerPort;
  if (http !== a.port) c.fail('probes', file, `${env}: the http container port is ${String(http)}, but the service listens on ${a.port}`);
  for (const p of PROBES) {
    const probe = container[p.key];
    if (!probe) {
      if (p.required) c.fail('probes', file, `${env}: no ${p.key}: it must be an HTTP GET of ${p.paths[0]} on port ${a.port}`);
      continue;
    }
    const path = probe.httpGet?.path;
    const port = probe.httpGet?.port;
    if (path === undefined) {
      c.fail('probes', file, `${env}: ${p.key} is not an HTTP GET: it must get ${p.paths[0]} on port ${a.port}`);
      continue;
    }
    if (!p.paths.includes(String(path))) c.fail('probes', file, `${env}: ${p.key} gets ${String(path)}; it must get ${p.paths.join(' or ')}`);
    if (!(port === 'http' ? http === a.port : Number(port) === a.port)) c.fail('probes', file, `${env}: ${p.key} uses port ${String(port)}; it must use the http port (${a.port})`);
  }
  if (pod.securityContext?.runAsNonRoot !== true && container.securityContext?.runAsNonRoot !== true) {
    c.fail('non-root', file, `${env}: neither the pod nor the container sets runAsNonRoot: true`);
  }
  const image = String(container.image ?? '');
  if (!/@sha256:[0-9a-f]{64}$/.test(image)) {
    c.fail('gitops', file, `${env}: the image ${image} is not referenced by digest (repository@sha256:...): render with make manifests DIGEST=sha256:...`);
  }
}
