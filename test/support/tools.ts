// Typed wrappers over the validation tools the test suite uses.
//
// Tools are provisioned by scripts/install-tools.sh (pinned versions, cached in
// $CGKS_TOOLS_DIR or ~/.cache/create-go-k8s-service/tools). Every validator
// provisions what it needs on first use, so a test only has to call it.
//
// Every validator resolves to { ok, output }: ok is false when the input is
// rejected. They throw only when the tool itself cannot run (not installed,
// killed, usage error), never because the input is invalid.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { execa, type Options as ExecaOptions } from 'execa';
import { GO_ENV } from './go.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments, type Tags } from 'yaml';
import { validate as dockerfileValidate } from 'dockerfile-utils';

export interface ToolResult {
  ok: boolean;
  output: string;
}

/** Kubernetes versions kubectlValidate knows: 1.37 and 1.35 from laid-out schemas, 1.30 built in. */
export type K8sVersion = '1.37' | '1.35' | '1.30';

/** Names install-tools.sh accepts. dockerlint, psacheck and composecheck are built together. */
export type ToolName =
  | 'helm'
  | 'kubectl-validate'
  | 'schemas'
  | 'crds'
  | 'actionlint'
  | 'shellcheck'
  | 'staticcheck'
  | 'kube-score'
  | 'test-tools'
  | 'dockerlint'
  | 'psacheck'
  | 'composecheck'
  | 'golangci-lint'
  | 'buildah'
  | 'helmlookup'
  | 'sarif-multitool'
  | 'postgres'
  | 'gitops-crds';

/** What `ensureTools()` with no argument installs (the script's default set). */
export const DEFAULT_TOOLS: readonly ToolName[] = [
  'helm',
  'kubectl-validate',
  'schemas',
  'crds',
  'actionlint',
  'shellcheck',
  'staticcheck',
  'kube-score',
  'test-tools',
];

const SYSTEM_TOOLS = new Set(['shellcheck', 'buildah']);

export const repoRoot = (): string => resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function toolsDir(): string {
  return process.env.CGKS_TOOLS_DIR || join(homedir(), '.cache', 'create-go-k8s-service', 'tools');
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Absolute path of a tool binary: $TOOLS_DIR/bin/<name>, or for apt-installed tools (shellcheck, buildah) their place on PATH. */
export function toolPath(name: string): string {
  const own = join(toolsDir(), 'bin', name);
  if (SYSTEM_TOOLS.has(name) && !existsSync(own)) return findOnPath(name) ?? own;
  return own;
}

const canonical = (name: string): string => (name === 'dockerlint' || name === 'psacheck' || name === 'composecheck' ? 'test-tools' : name);

const installs = new Map<string, Promise<void>>();

/**
 * Runs scripts/install-tools.sh for the given tools (default: the test-suite set) at most once per
 * tool per process; its progress lines go to stderr. Safe to call from many tests at once.
 */
export function ensureTools(names?: readonly (ToolName | string)[]): Promise<void> {
  const wanted = [...new Set((names && names.length > 0 ? names : DEFAULT_TOOLS).map(canonical))];
  const missing = wanted.filter((n) => !installs.has(n));
  if (missing.length > 0) {
    const run = (async () => {
      const result = await execa('bash', [join(repoRoot(), 'scripts', 'install-tools.sh'), ...missing], {
        stdin: 'ignore',
        stdout: 'inherit',
        stderr: 'inherit',
        reject: false,
        env: GO_ENV,
      });
      if (result.exitCode !== 0) {
        throw new Error(`scripts/install-tools.sh ${missing.join(' ')} failed (${result.shortMessage})`);
      }
    })();
    for (const n of missing) installs.set(n, run);
    // Forget failures so a later call can retry.
    run.catch(() => {
      for (const n of missing) if (installs.get(n) === run) installs.delete(n);
    });
  }
  return Promise.all(wanted.map((n) => installs.get(n))).then(() => undefined);
}

function toolEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [join(toolsDir(), 'bin'), process.env.PATH ?? ''].join(delimiter),
    ...GO_ENV,
    ...extra,
  };
}

interface RunOptions {
  cwd?: string;
  input?: string;
  env?: Record<string, string>;
  /** Exit codes that mean "the input was rejected" (default: any non-zero code). Others throw. */
  failureCodes?: readonly number[];
  timeout?: number;
}

interface RunResult extends ToolResult {
  stdout: string;
  exitCode: number;
}

const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const execaOptions: ExecaOptions = {
    cwd: opts.cwd,
    env: toolEnv(opts.env),
    all: true,
    reject: false,
    timeout: opts.timeout ?? 10 * 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  };
  const result = await execa(file, args, execaOptions);
  const all = stripAnsi(String(result.all ?? '')).trim();
  const cmd = [file, ...args].join(' ');
  if (result.exitCode === undefined) {
    throw new Error(`${cmd}: could not run: ${result.shortMessage}${all ? `\n${all}` : ''}`);
  }
  if (result.exitCode !== 0 && opts.failureCodes && !opts.failureCodes.includes(result.exitCode)) {
    throw new Error(`${cmd}: exited with ${result.exitCode} (tool error)${all ? `\n${all}` : ''}`);
  }
  return { ok: result.exitCode === 0, output: all, stdout: String(result.stdout ?? ''), exitCode: result.exitCode };
}

async function withTempFile<T>(name: string, content: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'cgks-tools-'));
  try {
    const path = join(dir, name);
    await writeFile(path, content);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- Helm -------------------------------------------------------------------------------------

/** Helm with its config/cache/data dirs inside the tools dir, so the user's repos and plugins play no part. */
function helmEnv(): Record<string, string> {
  const home = join(toolsDir(), 'helm-home');
  return {
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

const valuesArgs = (valuesFiles: readonly string[]): string[] => valuesFiles.flatMap((f) => ['--values', f]);

/** `helm lint --strict chartDir [--values f]...` */
export async function helmLint(chartDir: string, valuesFiles: readonly string[] = []): Promise<ToolResult> {
  await ensureTools(['helm']);
  const { ok, output } = await run(toolPath('helm'), ['lint', '--strict', chartDir, ...valuesArgs(valuesFiles)], {
    env: helmEnv(),
  });
  return { ok, output };
}

export interface HelmTemplateOptions {
  /** Default "release". */
  releaseName?: string;
  /** Default "default". */
  namespace?: string;
  /** `--kube-version`, e.g. "1.37.0" (default: helm's own). */
  kubeVersion?: string;
  /** `--set k=v` pairs. */
  set?: Record<string, string>;
}

/** `helm template`; on success output is the rendered YAML (stdout only), on failure helm's error. */
export async function helmTemplate(
  chartDir: string,
  valuesFiles: readonly string[] = [],
  opts: HelmTemplateOptions = {},
): Promise<ToolResult> {
  await ensureTools(['helm']);
  const args = [
    'template',
    opts.releaseName ?? 'release',
    chartDir,
    '--namespace',
    opts.namespace ?? 'default',
    ...valuesArgs(valuesFiles),
    ...(opts.kubeVersion ? ['--kube-version', opts.kubeVersion] : []),
    ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  const r = await run(toolPath('helm'), args, { env: helmEnv() });
  return { ok: r.ok, output: r.ok ? r.stdout : r.output };
}

export interface UpgradeReplay {
  /** The Deployment the chart renders (lookup answered from `live`). */
  rendered: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** With live and previous: helm upgrade's three-way patch, and the live Deployment after it. */
  patch?: Record<string, unknown>;
  result?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The chart's Deployment rendered by Helm's engine (test/tools/helmlookup) with a fake cluster that
 * holds `live` for `lookup`; with `previous` too, `helm upgrade`'s three-way strategic merge patch
 * replayed against `live`, with the API server's default of one replica when the field goes.
 */
export async function helmUpgradeReplay(
  chartDir: string,
  valuesFiles: readonly string[],
  opts: { live?: unknown; previous?: unknown; release?: string; namespace?: string; setString?: Record<string, string> } = {},
): Promise<UpgradeReplay> {
  await ensureTools(['helmlookup']);
  const dir = await mkdtemp(join(tmpdir(), 'cgks-helmlookup-'));
  try {
    const args = ['--chart', chartDir, '--release', opts.release ?? 'release', '--namespace', opts.namespace ?? 'default'];
    for (const f of valuesFiles) args.push('--values', f);
    for (const [k, v] of Object.entries(opts.setString ?? {})) args.push('--set-string', `${k}=${v}`);
    for (const key of ['live', 'previous'] as const) {
      if (opts[key] === undefined) continue;
      const file = join(dir, `${key}.json`);
      await writeFile(file, JSON.stringify(opts[key]));
      args.push(`--${key}`, file);
    }
    const r = await execa(toolPath('helmlookup'), args, { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) throw new Error(`helmlookup ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
    return JSON.parse(r.stdout) as UpgradeReplay;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- Kubernetes manifests -------------------------------------------------------------------

/**
 * kubectl-validate against Kubernetes' own OpenAPI schemas, strict (unknown fields are errors),
 * with the Gateway API HTTPRoute and ServiceMonitor CRDs known. 1.37/1.35 use only the laid-out
 * schemas of that release (`--version=` empty, so the built-in 1.30 schemas cannot fill gaps such
 * as removed API versions); 1.30 uses the built-in ones. Never contacts a cluster.
 */
export async function kubectlValidate(manifestYaml: string, k8sVersion: K8sVersion): Promise<ToolResult> {
  await ensureTools(['kubectl-validate', 'schemas', 'crds']);
  const dir = toolsDir();
  const versionArgs = k8sVersion === '1.30' ? ['--version', '1.30'] : ['--version=', '--local-schemas', join(dir, 'schemas', k8sVersion)];
  return withTempFile('manifest.yaml', manifestYaml, async (file) => {
    const { ok, output } = await run(toolPath('kubectl-validate'), [file, ...versionArgs, '--local-crds', join(dir, 'crds')], {
      env: { KUBECONFIG: '/nonexistent' },
      failureCodes: [1],
    });
    return { ok, output };
  });
}

/**
 * kubectl-validate of Argo CD and Flux objects against those projects' own CRDs (install-tools.sh
 * gitops-crds: Argo CD Application/ApplicationSet/AppProject, Flux Kustomization/GitRepository),
 * strict, with Kubernetes 1.37's schemas. Never contacts a cluster.
 */
export async function kubectlValidateGitops(manifestYaml: string): Promise<ToolResult> {
  await ensureTools(['kubectl-validate', 'schemas', 'gitops-crds']);
  const dir = toolsDir();
  return withTempFile('manifest.yaml', manifestYaml, async (file) => {
    const { ok, output } = await run(
      toolPath('kubectl-validate'),
      [file, '--version=', '--local-schemas', join(dir, 'schemas', '1.37'), '--local-crds', join(dir, 'crds-gitops')],
      { env: { KUBECONFIG: '/nonexistent' }, failureCodes: [1] },
    );
    return { ok, output };
  });
}

/** Pod Security Standards "restricted" (latest) on every pod template in the YAML (psacheck). */
export async function podSecurityRestricted(manifestYaml: string): Promise<ToolResult> {
  await ensureTools(['psacheck']);
  const { ok, output } = await run(toolPath('psacheck'), ['-'], { input: manifestYaml, failureCodes: [1] });
  return { ok, output };
}

export interface KubeScoreOptions {
  /** `--kubernetes-version`, default "v1.37". */
  kubernetesVersion?: string;
}

/**
 * `kube-score score --output-format ci`; ok only when no line is [CRITICAL] or [WARNING].
 * output holds every line except the [OK] ones.
 */
export async function kubeScore(
  manifestYaml: string,
  ignoreTests: readonly string[] = [],
  opts: KubeScoreOptions = {},
): Promise<ToolResult> {
  await ensureTools(['kube-score']);
  const args = [
    'score',
    '--output-format',
    'ci',
    '--kubernetes-version',
    opts.kubernetesVersion ?? 'v1.37',
    ...ignoreTests.flatMap((t) => ['--ignore-test', t]),
    '-',
  ];
  const r = await run(toolPath('kube-score'), args, { input: manifestYaml });
  const lines = r.output.split('\n');
  const findings = lines.filter((l) => /^\[(CRITICAL|WARNING)\]/.test(l));
  const scored = lines.some((l) => /^\[(OK|SKIPPED|CRITICAL|WARNING)\]/.test(l));
  return {
    // A non-zero exit without any scored line (e.g. unparsable YAML) is a failure too.
    ok: findings.length === 0 && (r.exitCode === 0 || scored),
    output: lines.filter((l) => !l.startsWith('[OK]')).join('\n'),
  };
}

// ---- CI files -----------------------------------------------------------------------------------

/** actionlint on a workflow file, with shellcheck (required, passed explicitly so it cannot be skipped silently). */
export async function actionlint(file: string): Promise<ToolResult> {
  await ensureTools(['actionlint', 'shellcheck']);
  const shellcheck = toolPath('shellcheck');
  if (!existsSync(shellcheck)) {
    throw new Error('shellcheck is not installed (apt-get install -y shellcheck); actionlint would skip its checks');
  }
  const { ok, output } = await run(toolPath('actionlint'), ['-no-color', '-shellcheck', shellcheck, file], {
    failureCodes: [1],
  });
  return { ok, output };
}

let gitlabValidator: ValidateFunction | undefined;

/**
 * GitLab's CI JSON schema (the one its pipeline editor uses), as bundled in gitlab-ci-local's
 * dist/index.js. It is embedded there as a JavaScript object literal; we cut that literal out
 * (string-aware brace matching from its `$schema` key) and evaluate it in an empty VM context.
 * This is the schema as GitLab ships it, before gitlab-ci-local relaxes a few patterns at run time.
 */
export function gitlabCiSchema(): Record<string, unknown> {
  const bundle = join(repoRoot(), 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
  const src = readFileSync(bundle, 'utf8');
  const marker = '{$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml"';
  const start = src.indexOf(marker);
  if (start < 0 || src.indexOf(marker, start + 1) >= 0) {
    throw new Error(`GitLab CI schema not found exactly once in ${bundle}; gitlab-ci-local's bundle changed`);
  }
  let depth = 0;
  let quote = '';
  let end = -1;
  for (let i = start; i < src.length && end < 0; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) end = i + 1;
  }
  if (end < 0) throw new Error('unterminated GitLab CI schema literal in gitlab-ci-local bundle');
  const schema: unknown = runInNewContext(`(${src.slice(start, end)})`, Object.create(null), { timeout: 5000 });
  const s = schema as { definitions?: { job_template?: { properties?: Record<string, unknown> } } };
  if (!s.definitions?.job_template?.properties?.script) {
    throw new Error('GitLab CI schema extracted from gitlab-ci-local looks wrong (no job_template.script)');
  }
  // Round-trip through JSON so the object belongs to this realm.
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function compileGitlabValidator(): ValidateFunction {
  if (!gitlabValidator) {
    // Same options gitlab-ci-local validates with.
    const ajv = new Ajv({
      allErrors: true,
      allowUnionTypes: true,
      validateFormats: false,
      strict: false,
      keywords: ['markdownDescription'],
    });
    gitlabValidator = ajv.compile(gitlabCiSchema());
  }
  return gitlabValidator;
}

// `!reference [job, key]` is GitLab's own tag; keep its argument as a plain list.
const gitlabTags: Tags = [{ tag: '!reference', collection: 'seq', default: false, resolve: (seq) => seq }];

function describeAjvErrors(errors: readonly ErrorObject[]): string[] {
  // With allErrors every failed oneOf/anyOf branch reports; keep the most telling error per place.
  const weight = (e: ErrorObject): number =>
    ({ additionalProperty: 0, required: 1, type: 2, enum: 3, const: 3 })[
      e.keyword === 'additionalProperties' ? 'additionalProperty' : e.keyword
    ] ?? 4;
  const best = new Map<string, ErrorObject>();
  for (const e of errors) {
    const p = e.params as { additionalProperty?: string; missingProperty?: string };
    const key = `${e.instancePath}|${p.additionalProperty ?? p.missingProperty ?? ''}`;
    const prev = best.get(key);
    if (!prev || weight(e) < weight(prev)) best.set(key, e);
  }
  return [...best.values()].map((e) => {
    const p = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
    let msg = e.message ?? e.keyword;
    if (p.additionalProperty) msg += `: '${p.additionalProperty}'`;
    if (p.allowedValues) msg += `: ${JSON.stringify(p.allowedValues)}`;
    return `${e.instancePath || '/'}: ${msg} [${e.schemaPath}]`;
  });
}

/** Validates a .gitlab-ci.yml against GitLab's CI JSON schema (see gitlabCiSchema). */
export async function gitlabCiValidate(file: string): Promise<ToolResult> {
  const text = await readFile(file, 'utf8');
  const docs = parseAllDocuments(text, { customTags: gitlabTags, merge: true, prettyErrors: true });
  if (!Array.isArray(docs)) return { ok: false, output: `${file}: not a YAML stream` };
  if (docs.length !== 1) return { ok: false, output: `${file}: expected one YAML document, found ${docs.length}` };
  const doc = docs[0]!;
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${file}: ${e.message}`);
  if (problems.length > 0) return { ok: false, output: problems.join('\n') };
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  const validate = compileGitlabValidator();
  if (validate(data)) return { ok: true, output: '' };
  return {
    ok: false,
    output: describeAjvErrors(validate.errors ?? [])
      .map((l) => `${file}: ${l}`)
      .join('\n'),
  };
}

// ---- Dockerfile -------------------------------------------------------------------------------

/** dockerfile-utils validate() with default settings; ok when there is no diagnostic at all. */
export async function dockerfileUtilsLint(file: string): Promise<ToolResult> {
  const content = await readFile(file, 'utf8');
  const diagnostics = dockerfileValidate(content);
  const severity = ['', 'error', 'warning', 'info', 'hint'];
  const lines = diagnostics.map(
    (d) =>
      `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity[d.severity ?? 1] ?? ''}: ${d.message}` +
      (d.code !== undefined ? ` (code ${d.code})` : ''),
  );
  return { ok: diagnostics.length === 0, output: lines.join('\n') };
}

/** BuildKit's Dockerfile lint rules via test/tools/dockerlint (no daemon, base images stubbed). */
export async function buildkitLint(file: string, buildArgs: Record<string, string> = {}): Promise<ToolResult> {
  await ensureTools(['dockerlint']);
  const args = [...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), file];
  const { ok, output } = await run(toolPath('dockerlint'), args, { failureCodes: [1] });
  return { ok, output };
}

// ---- Go and Compose --------------------------------------------------------------------------

/** `staticcheck ./...` in dir (GOTOOLCHAIN=local). */
export async function staticcheck(dir: string): Promise<ToolResult> {
  await ensureTools(['staticcheck']);
  const { ok, output } = await run(toolPath('staticcheck'), ['./...'], { cwd: dir });
  return { ok, output };
}

/** compose-go loader with schema validation, interpolation from envFile (default: the file's .env). */
export async function composeValidate(file: string, envFile?: string): Promise<ToolResult> {
  await ensureTools(['composecheck']);
  const args = [...(envFile ? ['--env-file', envFile] : []), file];
  const { ok, output } = await run(toolPath('composecheck'), args, { failureCodes: [1] });
  return { ok, output };
}
