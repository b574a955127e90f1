// The Helm chart, proved with the real tools: `helm lint --strict`, `helm template` output accepted
// by kubectl-validate (Kubernetes 1.37, 1.35 and 1.30 schemas, HTTPRoute and ServiceMonitor CRDs),
// Pod Security "restricted" for every pod template (the `helm test` pod included), kube-score with
// only the checks the chart README justifies ignored; values.schema.json rejecting wrong types and
// unknown keys; the shutdown budget, probes and port read back from the rendered objects.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { answersFor, chartDirFor, valuesFileWriter } from '../support/generate.js';
import {
  ensureTools,
  helmLint,
  helmTemplate,
  kubeScore,
  kubectlValidate,
  podSecurityRestricted,
  toolPath,
  toolsDir,
  type K8sVersion,
  type ToolResult,
} from '../support/tools.js';
import type { Answers } from '../../generators/model/questions.js';

/** kube-score tests the chart ignores on purpose; each is justified in the chart README. */
const IGNORED = ['container-image-pull-policy', 'pod-networkpolicy', 'deployment-has-host-podantiaffinity'];
const K8S_VERSIONS: K8sVersion[] = ['1.37', '1.35', '1.30'];
const HOSTILE = `Says "hi" & 'bye' with \`ticks\`, {{ .Values.x }}, \${{ secrets.T }}, <b>, a: b # not a comment, 100%`;

const fixtures = fileURLToPath(new URL('../fixtures/chart/', import.meta.url));
const ALL_ON = join(fixtures, 'all-on.yaml');
const TRACING = join(fixtures, 'tracing.yaml');

const scratch = mkdtempSync(join(tmpdir(), 'cgks-chart-test-'));
const valuesFile = valuesFileWriter(scratch);

// ---- the generated chart --------------------------------------------------------------------

const generated: string[] = [];
const chartFor = (overrides: Partial<Answers> = {}): string => chartDirFor(overrides, generated, 'cgks-chart-repo-');

// ---- rendering ------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [key: string]: unknown;
}

interface Rendered {
  yaml: string;
  objects: K8sObject[];
}

/**
 * `helm template --include-crds` with test hooks (helm's default). Local because the shared
 * helmTemplate() has no --include-crds; the chart has no crds/ folder, so it must not matter.
 */
async function render(
  chartDir: string,
  valuesFiles: readonly string[] = [],
  opts: { release?: string; set?: Record<string, string> } = {},
): Promise<Rendered> {
  await ensureTools(['helm']);
  const home = join(toolsDir(), 'helm-home');
  const r = await execa(
    toolPath('helm'),
    [
      'template',
      opts.release ?? 'release',
      chartDir,
      '--namespace',
      'default',
      '--include-crds',
      ...valuesFiles.flatMap((f) => ['--values', f]),
      ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ],
    {
      reject: false,
      stdin: 'ignore',
      env: {
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    },
  );
  assert.is(r.exitCode, 0, `helm template ${chartDir} ${valuesFiles.join(' ')} failed:\n${r.stderr}`);
  return { yaml: r.stdout, objects: parseObjects(r.stdout) };
}

function parseObjects(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  assert.is(found.length, 1, `expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

/** Objects back to a YAML stream; YAML 1.1 so that Go parsers read "on" or "true" strings as strings. */
const toYamlStream = (objects: K8sObject[]): string => objects.map((o) => stringifyYaml(o, { version: '1.1' })).join('---\n');

const kinds = (objects: K8sObject[]): string[] => objects.map((o) => o.kind).sort();

function testPod(objects: K8sObject[]): K8sObject | undefined {
  return objects.find((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test');
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

function mainContainer(objects: K8sObject[]) {
  const containers = only(objects, 'Deployment').spec.template.spec.containers as any[];
  assert.is(containers.length, 1);
  return containers[0]!;
}

function envOf(objects: K8sObject[]): Map<string, EnvVar> {
  const env = (mainContainer(objects).env ?? []) as EnvVar[];
  return new Map(env.map((e) => [e.name, e]));
}

const selects = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const show = (r: ToolResult): string => r.output.slice(0, 4000);

// ---- the combinations every tool must accept ---------------------------------------------------

interface Case {
  label: string;
  answers: Partial<Answers>;
  values: () => string[];
  kinds: string[];
}

const baseKinds = ['Deployment', 'PodDisruptionBudget', 'Pod', 'Service', 'ServiceAccount'];
const allOnKinds = [...baseKinds, 'HorizontalPodAutoscaler', 'HTTPRoute', 'Ingress', 'NetworkPolicy'];

/** all-on.yaml without its metrics block, for answers with metrics off. */
function allOnWithoutMetrics(): string {
  const values = parseYaml(readFileSync(ALL_ON, 'utf8')) as Record<string, unknown>;
  delete values.metrics;
  return valuesFile(values);
}

const cases: Case[] = [
  { label: 'default answers', answers: {}, values: () => [], kinds: baseKinds },
  { label: 'metrics off', answers: { metrics: false }, values: () => [], kinds: baseKinds },
  {
    label: 'default answers + every option on',
    answers: {},
    values: () => [ALL_ON],
    kinds: [...allOnKinds, 'ServiceMonitor'],
  },
  {
    label: 'tracing on + every option on',
    answers: { tracing: true },
    values: () => [ALL_ON, TRACING],
    kinds: [...allOnKinds, 'ServiceMonitor'],
  },
  {
    label: 'metrics off + every option on',
    answers: { metrics: false },
    values: () => [allOnWithoutMetrics()],
    kinds: allOnKinds,
  },
  { label: 'postgres', answers: { database: 'postgres' }, values: () => [], kinds: baseKinds },
  {
    label: 'postgres, tracing on + every option on',
    answers: { database: 'postgres', tracing: true },
    values: () => [ALL_ON, TRACING],
    kinds: [...allOnKinds, 'ServiceMonitor'],
  },
];

test.before(async () => {
  await ensureTools(['helm', 'kubectl-validate', 'schemas', 'crds', 'kube-score', 'psacheck']);
});

test.after(() => {
  for (const dir of [scratch, ...generated]) rmSync(dir, { recursive: true, force: true });
});

for (const c of cases) {
  let valuesFiles: string[] = [];
  let rendered: Rendered | undefined;
  const get = async (): Promise<Rendered> => {
    if (!rendered) {
      valuesFiles = c.values();
      rendered = await render(chartFor(c.answers), valuesFiles);
    }
    return rendered;
  };

  test(`${c.label}: helm lint --strict is clean and helm template renders the expected objects`, async () => {
    const { objects } = await get();
    const lint = await helmLint(chartFor(c.answers), valuesFiles);
    assert.ok(lint.ok, show(lint));
    assert.equal(kinds(objects), [...c.kinds].sort());
    const pod = testPod(objects);
    assert.ok(pod, 'the helm test pod is not in the output');
  });

  for (const v of K8S_VERSIONS) {
    test(`${c.label}: kubectl-validate accepts the output (Kubernetes ${v})`, async () => {
      const r = await kubectlValidate((await get()).yaml, v);
      assert.ok(r.ok, show(r));
    });
  }

  test(`${c.label}: every pod template meets Pod Security "restricted"`, async () => {
    const { yaml, objects } = await get();
    assert.ok(testPod(objects), 'the helm test pod must be checked too');
    const r = await podSecurityRestricted(yaml);
    assert.ok(r.ok, show(r));
  });

  test(`${c.label}: kube-score finds nothing but the ignored checks`, async () => {
    const r = await kubeScore((await get()).yaml, IGNORED);
    assert.ok(r.ok, show(r));
  });
}

// ---- kube-score: the ignores are justified and still needed -----------------------------------

test('every ignored kube-score check is named in the chart README, and nothing else is', () => {
  const readme = readFileSync(join(chartFor(), 'README.md'), 'utf8');
  const section = readme.split(/^## kube-score$/m)[1]?.split(/^## /m)[0] ?? '';
  const named = [...section.matchAll(/^\| `([a-z0-9-]+)` \| (.+) \|$/gm)].map((m) => {
    assert.ok(m[2]!.length > 40, `README gives no real reason for ${m[1]}`);
    return m[1]!;
  });
  assert.equal(named.sort(), [...IGNORED].sort());
});

test('each ignored kube-score check would fire without its ignore (none is stale)', async () => {
  const { yaml } = await render(chartFor());
  for (const check of IGNORED) {
    const r = await kubeScore(
      yaml,
      IGNORED.filter((t) => t !== check),
    );
    assert.not.ok(r.ok, `${check} is ignored but kube-score finds nothing without the ignore`);
  }
});

test('with networkPolicy on, the Deployment pods are covered for ingress and egress', async () => {
  const { objects } = await render(chartFor(), [ALL_ON]);
  const withoutTestPod = objects.filter((o) => o !== testPod(objects));
  const yaml = toYamlStream(withoutTestPod);
  const r = await kubeScore(
    yaml,
    IGNORED.filter((t) => t !== 'pod-networkpolicy'),
  );
  assert.ok(r.ok, show(r));
  const np = only(objects, 'NetworkPolicy');
  const podLabels = only(objects, 'Deployment').spec.template.metadata.labels;
  assert.ok(selects(np.spec.podSelector.matchLabels, podLabels));
  // The release's own test pod may still reach the service when sources are restricted.
  const peers = np.spec.ingress[0].from as { podSelector?: { matchLabels: Record<string, string> } }[];
  assert.ok(peers.some((p) => p.podSelector && selects(p.podSelector.matchLabels, testPod(objects)!.metadata.labels)));
});

// ---- the validators are not vacuous -----------------------------------------------------------

test('the validators reject broken output (negative controls)', async () => {
  const { objects } = await render(chartFor());
  const broken = structuredClone(objects);
  const dep = broken.find((o) => o.kind === 'Deployment')!;
  dep.spec.template.spec.topologySpreadConstraints[0].maxSkw = 1;
  const yaml = toYamlStream(broken);
  for (const v of K8S_VERSIONS) {
    const r = await kubectlValidate(yaml, v);
    assert.not.ok(r.ok, `kubectl-validate ${v} accepted an unknown field`);
  }
  const privileged = structuredClone(objects);
  const pod = testPod(privileged)!;
  pod.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
  const psa = await podSecurityRestricted(toYamlStream(privileged));
  assert.not.ok(psa.ok, 'psacheck accepted allowPrivilegeEscalation: true in the test pod');
});

// ---- values.schema.json ---------------------------------------------------------------------

test('values.schema.json is self-contained draft-07 and closed at the top level', () => {
  const schema = JSON.parse(readFileSync(join(chartFor(), 'values.schema.json'), 'utf8'));
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.is(schema.additionalProperties, false);
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref') refs.push(String(v));
        else walk(v);
      }
    }
  };
  walk(schema);
  assert.ok(refs.length > 0);
  for (const ref of refs) assert.ok(ref.startsWith('#/'), `remote $ref ${ref}`);
  // Every top-level key of values.yaml is described by the schema, and nothing more than them and global.
  const values = parseYaml(readFileSync(join(chartFor(), 'values.yaml'), 'utf8')) as Record<string, unknown>;
  assert.equal(
    Object.keys(schema.properties)
      .filter((k) => k !== 'global')
      .sort(),
    Object.keys(values).sort(),
  );
});

for (const answers of [{}, { metrics: false, tracing: true }] as Partial<Answers>[]) {
  test(`the chart README's values table covers every top-level value (${JSON.stringify(answers)})`, () => {
    const chart = chartFor(answers);
    const values = parseYaml(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const rows = readFileSync(join(chart, 'README.md'), 'utf8')
      .split(/^## Values$/m)[1]!
      .split(/^## /m)[0]!
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    // A row names `a.b.c`, or `a` / `b` / `c` (top-level keys), or `a.b` / `c` (c a sibling of b).
    const documented = new Set(
      rows.flatMap((r) => {
        const keys = [...r.split(' | ')[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
        return keys[0]!.includes('.') ? [keys[0]!.split('.')[0]!] : keys;
      }),
    );
    for (const key of Object.keys(values)) assert.ok(documented.has(key), `README values table lacks ${key}`);
    for (const key of documented) assert.ok(key in values, `README documents ${key}, which values.yaml lacks`);
  });
}

const rejected: [string, Partial<Answers>, unknown, RegExp][] = [
  ['replicaCount: "three"', {}, { replicaCount: 'three' }, /replicaCount/],
  ['an unknown top-level key', {}, { replicas: 3 }, /replicas/],
  ['a misspelled shutdown key', {}, { shutdown: { delaySecond: 3 } }, /delaySecond/],
  ['a negative shutdown delay', {}, { shutdown: { delaySeconds: -1 } }, /delaySeconds/],
  ['an unknown log level', {}, { log: { level: 'verbose' } }, /level/],
  ['a metrics block when metrics are off', { metrics: false }, { metrics: { scrapeAnnotations: true } }, /metrics/],
  ['a tracing block when tracing is off', {}, { tracing: { endpoint: 'http://x:4318' } }, /tracing/],
  ['a config name that is not an environment variable name', {}, { config: { 'bad-name': 'x' } }, /config/],
  ['a config value that is an object', {}, { config: { NESTED: { a: 1 } } }, /NESTED/],
  ['an existingSecret that is not a Secret name', {}, { existingSecret: 'Bad_Name' }, /existingSecret/],
  ['an init container without a name', {}, { initContainers: [{ args: ['migrate'] }] }, /initContainers/],
  ['an unknown init container key', {}, { initContainers: [{ name: 'migrate', restartPolicy: 'Always' }] }, /restartPolicy/],
  ['init container args as a string', {}, { initContainers: [{ name: 'migrate', args: 'migrate' }] }, /args/],
  ['an init container name that is not a DNS label', {}, { initContainers: [{ name: 'Migrate_DB' }] }, /initContainers/],
  // A number is no tag: YAML reads 1.10 as 1.1, and the image would be :1.1 (the file with 1.10 itself is tested below).
  ['an image tag that is a number', {}, { image: { tag: 2 } }, /image[./]tag[\s\S]*string/],
  ['a negative CPU limit', {}, { resources: { limits: { cpu: -1 } } }, /limits[./]cpu/],
  ['a negative memory request as text', {}, { resources: { requests: { memory: '-64Mi' } } }, /requests[./]memory/],
  ['a negative /tmp size', {}, { tmpVolume: { sizeLimit: -5 } }, /sizeLimit/],
  ['a nodePort below 30000', {}, { service: { type: 'NodePort', nodePort: 8080 } }, /nodePort/],
  ['a nodePort above 32767', {}, { service: { type: 'NodePort', nodePort: 32768 } }, /nodePort/],
];

// Rules across values, or with a message the schema cannot give: `fail` in the templates, naming the values.
const refused: [string, unknown, RegExp][] = [
  [
    'minReplicas above maxReplicas',
    { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 3 } },
    /autoscaling\.minReplicas \(5\) is greater than autoscaling\.maxReplicas \(3\)/,
  ],
  [
    'a disruption budget of maxUnavailable: 0',
    { podDisruptionBudget: { maxUnavailable: 0 } },
    /podDisruptionBudget\.maxUnavailable: 0 lets no pod be evicted: every node drain would block/,
  ],
  [
    'a disruption budget of maxUnavailable: 0%',
    { podDisruptionBudget: { maxUnavailable: '0%' } },
    /podDisruptionBudget\.maxUnavailable: 0% lets no pod be evicted/,
  ],
  [
    'a disruption budget of minAvailable equal to replicaCount',
    { replicaCount: 2, podDisruptionBudget: { minAvailable: 2 } },
    /podDisruptionBudget\.minAvailable: 2 is not below replicaCount \(2\)/,
  ],
  [
    'a disruption budget of minAvailable: 100%',
    { podDisruptionBudget: { minAvailable: '100%' } },
    /podDisruptionBudget\.minAvailable: 100% lets no pod be evicted/,
  ],
  ['an adminPort equal to containerPort', { containerPort: 9090 }, /adminPort: 9090 is containerPort too/],
  [
    'a disruption budget of minAvailable equal to minReplicas',
    { autoscaling: { enabled: true, minReplicas: 3 }, podDisruptionBudget: { minAvailable: 3 } },
    /podDisruptionBudget\.minAvailable: 3 is not below autoscaling\.minReplicas \(3\)/,
  ],
];

for (const [label, answers, values, mention] of rejected) {
  test(`helm lint and helm template reject ${label}`, async () => {
    const chart = chartFor(answers);
    const file = valuesFile(values);
    const lint = await helmLint(chart, [file]);
    assert.not.ok(lint.ok, `helm lint accepted ${label}`);
    assert.match(lint.output, mention);
    const tpl = await helmTemplate(chart, [file]);
    assert.not.ok(tpl.ok, `helm template accepted ${label}`);
    assert.match(tpl.output, mention);
  });
}

for (const [label, values, message] of refused) {
  test(`helm template refuses ${label}, naming the value; helm lint reports it`, async () => {
    const chart = chartFor();
    const file = valuesFile(values);
    const tpl = await helmTemplate(chart, [file]);
    assert.not.ok(tpl.ok, `helm template accepted ${label}`);
    assert.match(tpl.output, new RegExp(`execution error at \\([^)]*\\): ${message.source}`));
    // Helm's lint mode turns `fail` into an [INFO] line and exits 0 (helm.sh/helm/v3/pkg/engine);
    // install, upgrade, template and make helm-template/deploy stop on it.
    const lint = await helmLint(chart, [file]);
    assert.match(lint.output, message);
  });
}

test('image.tag 1.10 in a values file is rejected (YAML reads it as the number 1.1), "1.10" renders :1.10', async () => {
  const chart = chartFor();
  const file = join(scratch, 'tag-1.10.yaml');
  writeFileSync(file, 'image:\n  tag: 1.10\n');
  for (const r of [await helmLint(chart, [file]), await helmTemplate(chart, [file])]) {
    assert.not.ok(r.ok, 'an unquoted 1.10 must be rejected');
    assert.match(r.output, /image[./]tag/);
  }
  writeFileSync(file, 'image:\n  tag: "1.10"\n');
  const { objects } = await render(chart, [file]);
  assert.match(mainContainer(objects).image, /:1\.10"?$/);
});

test('tests.image.tag 1.40 in a values file is rejected (YAML reads it as 1.4: busybox:1.4), "1.40" renders :1.40', async () => {
  const chart = chartFor();
  const file = join(scratch, 'tests-tag-1.40.yaml');
  writeFileSync(file, 'tests:\n  image:\n    repository: busybox\n    tag: 1.40\n');
  for (const r of [await helmLint(chart, [file]), await helmTemplate(chart, [file])]) {
    assert.not.ok(r.ok, 'an unquoted 1.40 must be rejected');
    assert.match(r.output, /tests[./]image[./]tag[\s\S]*string/);
  }
  writeFileSync(file, 'tests:\n  image:\n    repository: busybox\n    tag: "1.40"\n');
  const { objects } = await render(chart, [file]);
  assert.is(testPod(objects)!.spec.containers[0].image, 'busybox:1.40');
});

test('strategy Recreate drops the default rollingUpdate; the API schema accepts the result', async () => {
  const chart = chartFor();
  const { yaml, objects } = await render(chart, [valuesFile({ strategy: { type: 'Recreate' } })]);
  assert.equal(only(objects, 'Deployment').spec.strategy, { type: 'Recreate' });
  const v = await kubectlValidate(yaml, '1.37');
  assert.ok(v.ok, show(v));
  // RollingUpdate keeps its settings.
  const rolling = await render(chart);
  assert.equal(only(rolling.objects, 'Deployment').spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
  });
});

test('the edges the templates accept: maxUnavailable 1, minAvailable below replicas, minReplicas = maxReplicas, nodePort 30000 and 32767', async () => {
  const chart = chartFor();
  for (const values of [
    { podDisruptionBudget: { minAvailable: 1 } },
    { podDisruptionBudget: { minAvailable: '50%' } },
    { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 3 }, podDisruptionBudget: { minAvailable: 2 } },
    { service: { type: 'NodePort', nodePort: 30000 } },
    { service: { type: 'NodePort', nodePort: 32767 } },
    { podDisruptionBudget: { enabled: false, maxUnavailable: 0 } },
  ]) {
    const file = valuesFile(values);
    const lint = await helmLint(chart, [file]);
    assert.ok(lint.ok, `${JSON.stringify(values)}: ${show(lint)}`);
  }
});

test('Chart.yaml kubeVersion: the oldest Kubernetes the chart supports (1.30) renders, 1.29 is refused', async () => {
  const chart = chartFor();
  const meta = parseYaml(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
  assert.is(meta.kubeVersion, '>= 1.30.0-0');
  const ok = await helmTemplate(chart, [ALL_ON], { kubeVersion: '1.30.0' });
  assert.ok(ok.ok, show(ok));
  const eks = await helmTemplate(chart, [], { kubeVersion: 'v1.30.14-eks-931bdca' });
  assert.ok(eks.ok, `a provider's pre-release suffix is accepted: ${show(eks)}`);
  const old = await helmTemplate(chart, [], { kubeVersion: '1.29.9' });
  assert.not.ok(old.ok, 'Kubernetes 1.29 must be refused');
  assert.match(old.output, /kubeVersion: >= 1\.30\.0-0 which is incompatible with Kubernetes v1\.29\.9/);
});

// ---- shutdown budget ------------------------------------------------------------------------

interface Shutdown {
  delaySeconds: number;
  timeoutSeconds: number;
  preStopSleepSeconds: number;
  marginSeconds: number;
}

function checkBudget(objects: K8sObject[], s: Shutdown): void {
  const pod = only(objects, 'Deployment').spec.template.spec;
  const grace = pod.terminationGracePeriodSeconds as number;
  assert.type(grace, 'number');
  assert.ok(
    grace >= s.preStopSleepSeconds + s.delaySeconds + s.timeoutSeconds,
    `terminationGracePeriodSeconds ${grace} < preStop ${s.preStopSleepSeconds} + delay ${s.delaySeconds} + timeout ${s.timeoutSeconds}`,
  );
  const env = envOf(objects);
  assert.is(env.get('SHUTDOWN_DELAY')?.value, `${s.delaySeconds}s`);
  assert.is(env.get('SHUTDOWN_TIMEOUT')?.value, `${s.timeoutSeconds}s`);
  const sleep = mainContainer(objects).lifecycle?.preStop?.sleep?.seconds;
  if (s.preStopSleepSeconds > 0) assert.is(sleep, s.preStopSleepSeconds);
  else assert.is(mainContainer(objects).lifecycle, undefined);
}

test('shutdown budget: default values.yaml', async () => {
  const values = parseYaml(readFileSync(join(chartFor(), 'values.yaml'), 'utf8')) as { shutdown: Shutdown };
  const { objects } = await render(chartFor());
  checkBudget(objects, values.shutdown);
  assert.is(only(objects, 'Deployment').spec.template.spec.terminationGracePeriodSeconds, 35);
});

test('shutdown budget: overridden with --set, preStop sleep included', async () => {
  const s = { delaySeconds: 12, timeoutSeconds: 40, preStopSleepSeconds: 7, marginSeconds: 1 };
  const set = Object.fromEntries(Object.entries(s).map(([k, v]) => [`shutdown.${k}`, String(v)]));
  const { objects } = await render(chartFor(), [], { set });
  checkBudget(objects, s);
});

test('shutdown budget: the every-option values file', async () => {
  const values = parseYaml(readFileSync(ALL_ON, 'utf8')) as { shutdown: Shutdown };
  const { objects } = await render(chartFor(), [ALL_ON]);
  checkBudget(objects, values.shutdown);
});

// ---- probes and port ------------------------------------------------------------------------

for (const port of [8080, 9090]) {
  test(`probes use /healthz and /ready on the named port http = ${port}`, async () => {
    const answers = port === 8080 ? {} : { port };
    assert.is(answersFor(answers).port, port);
    const { objects } = await render(chartFor(answers));
    const c = mainContainer(objects);
    assert.equal(c.ports[0], { name: 'http', containerPort: port, protocol: 'TCP' });
    assert.is(envOf(objects).get('PORT')?.value, String(port));
    const expect: Record<string, { path: string; timing: Record<string, number> }> = {
      startupProbe: { path: '/healthz', timing: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30 } },
      livenessProbe: { path: '/healthz', timing: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 } },
      readinessProbe: { path: '/ready', timing: { periodSeconds: 5, timeoutSeconds: 2 } },
    };
    for (const [name, want] of Object.entries(expect)) {
      const probe = c[name];
      assert.ok(probe, `${name} missing`);
      assert.is(probe.httpGet.path, want.path, name);
      assert.is(probe.httpGet.port, 'http', name);
      for (const [k, v] of Object.entries(want.timing)) assert.is(probe[k], v, `${name}.${k}`);
    }
    assert.is(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold, 150);
    const svc = only(objects, 'Service');
    assert.is(svc.spec.ports[0].targetPort, 'http');
  });
}

// ---- the admin port (metrics, pprof) ----------------------------------------------------------

for (const port of [8080, 9090]) {
  test(`the admin port (port ${port}): named in the Service for the ServiceMonitor and the scrape annotations, allowed by the NetworkPolicy, never routed by the Ingress or HTTPRoute`, async () => {
    const answers = port === 8080 ? {} : { port };
    const admin = port === 9090 ? 9091 : 9090;
    const { objects } = await render(chartFor(answers), [ALL_ON]);
    const c = mainContainer(objects);
    assert.equal(c.ports, [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'admin', containerPort: admin, protocol: 'TCP' },
    ]);
    assert.is(envOf(objects).get('ADMIN_PORT')?.value, String(admin));
    const annotations = only((await render(chartFor(answers))).objects, 'Deployment').spec.template.metadata.annotations;
    assert.is(annotations['prometheus.io/port'], String(admin));
    assert.is(annotations['prometheus.io/path'], '/metrics');
    const svc = only(objects, 'Service');
    const svcAdmin = (svc.spec.ports as { name: string; port: number; targetPort: string }[]).find((p) => p.name === 'admin');
    assert.equal(svcAdmin && { port: svcAdmin.port, targetPort: svcAdmin.targetPort }, { port: admin, targetPort: 'admin' });
    const sm = only(objects, 'ServiceMonitor');
    assert.equal(
      sm.spec.endpoints.map((e: { port: string; path: string }) => [e.port, e.path]),
      [['admin', '/metrics']],
    );
    const np = only(objects, 'NetworkPolicy');
    const opened = (np.spec.ingress as { ports: { port: string }[] }[]).flatMap((r) => r.ports.map((p) => p.port));
    assert.equal(opened.sort(), ['admin', 'http']);
    const httpPort = (svc.spec.ports as { name: string; port: number }[]).find((p) => p.name === 'http')!.port;
    const ing = only(objects, 'Ingress');
    for (const rule of ing.spec.rules) {
      for (const p of rule.http.paths)
        assert.ok(
          [httpPort, 'http'].includes(p.backend.service.port.number ?? p.backend.service.port.name),
          'the Ingress routes another port',
        );
    }
    const route = only(objects, 'HTTPRoute');
    for (const rule of route.spec.rules) for (const b of rule.backendRefs) assert.is(b.port, httpPort, 'the HTTPRoute routes another port');
  });
}

test('the admin port stays out of a NodePort or LoadBalancer Service; a ServiceMonitor then fails with one line', async () => {
  for (const type of ['NodePort', 'LoadBalancer']) {
    const { objects } = await render(chartFor(), [valuesFile({ service: { type } })]);
    assert.equal(
      only(objects, 'Service').spec.ports.map((p: { name: string }) => p.name),
      ['http'],
      type,
    );
    assert.is(only(objects, 'Deployment').spec.template.metadata.annotations['prometheus.io/port'], '9090');
  }
  const home = join(toolsDir(), 'helm-home');
  const r = await execa(
    toolPath('helm'),
    [
      'template',
      'r',
      chartFor(),
      '--values',
      valuesFile({ service: { type: 'LoadBalancer' }, metrics: { serviceMonitor: { enabled: true } } }),
    ],
    {
      reject: false,
      stdin: 'ignore',
      env: { HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') },
    },
  );
  assert.is.not(r.exitCode, 0);
  assert.match(r.stderr, /metrics\.serviceMonitor.*service\.type ClusterIP/);
});

test('with metrics off there is no admin port in the Service, and the NetworkPolicy opens only http', async () => {
  const { objects } = await render(chartFor({ metrics: false }), [valuesFile({ networkPolicy: { enabled: true } })]);
  assert.equal(
    only(objects, 'Service').spec.ports.map((p: { name: string }) => p.name),
    ['http'],
  );
  assert.equal(
    mainContainer(objects).ports.map((p: { name: string }) => p.name),
    ['http'],
  );
  assert.is(envOf(objects).get('ADMIN_PORT'), undefined);
  const opened = (only(objects, 'NetworkPolicy').spec.ingress as { ports: { port: string }[] }[]).flatMap((r) =>
    r.ports.map((p) => p.port),
  );
  assert.equal(opened, ['http']);
});

test('probes can be overridden field by field', async () => {
  const file = valuesFile({ livenessProbe: { periodSeconds: 30 }, startupProbe: { failureThreshold: 60 } });
  const c = mainContainer((await render(chartFor(), [file])).objects);
  assert.is(c.livenessProbe.periodSeconds, 30);
  assert.is(c.livenessProbe.httpGet.path, '/healthz');
  assert.is(c.startupProbe.failureThreshold, 60);
});

// ---- security, selectors, image -------------------------------------------------------------

test('restricted settings, /tmp emptyDir, no token, resources and the image from values', async () => {
  const { objects } = await render(chartFor());
  const spec = only(objects, 'Deployment').spec.template.spec;
  assert.is(spec.automountServiceAccountToken, false);
  assert.is(only(objects, 'ServiceAccount').automountServiceAccountToken, false);
  assert.is(spec.securityContext.runAsNonRoot, true);
  assert.is(spec.securityContext.runAsUser, 65532);
  assert.is(spec.securityContext.runAsGroup, 65532);
  assert.is(spec.securityContext.seccompProfile.type, 'RuntimeDefault');
  const c = mainContainer(objects);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.capabilities.drop, ['ALL']);
  const tmp = (c.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === '/tmp');
  assert.ok(tmp, 'no /tmp mount');
  assert.ok(spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir, '/tmp is not an emptyDir');
  for (const k of ['cpu', 'memory']) {
    assert.ok(c.resources.requests[k], `requests.${k}`);
    assert.ok(c.resources.limits[k], `limits.${k}`);
  }
  assert.is(c.image, `${answersFor().image}:0.1.0`);
  assert.is(c.imagePullPolicy, 'IfNotPresent');
  const zones = (spec.topologySpreadConstraints as { topologyKey: string; whenUnsatisfiable: string }[]).map(
    (t) => `${t.topologyKey}/${t.whenUnsatisfiable}`,
  );
  assert.equal(zones, ['topology.kubernetes.io/zone/ScheduleAnyway', 'kubernetes.io/hostname/ScheduleAnyway']);
});

test('selectors: Service, PDB and spread constraints pick the Deployment pods, never the test pod', async () => {
  const { objects } = await render(chartFor(), [ALL_ON]);
  const podLabels = only(objects, 'Deployment').spec.template.metadata.labels;
  const testLabels = testPod(objects)!.metadata.labels;
  const selectors: [string, Record<string, string>][] = [
    ['Service', only(objects, 'Service').spec.selector],
    ['PodDisruptionBudget', only(objects, 'PodDisruptionBudget').spec.selector.matchLabels],
    ['ServiceMonitor', only(objects, 'ServiceMonitor').spec.selector.matchLabels],
    ...(only(objects, 'Deployment').spec.template.spec.topologySpreadConstraints as any[]).map(
      (t, i) => [`spread ${i}`, t.labelSelector.matchLabels] as [string, Record<string, string>],
    ),
  ];
  for (const [what, sel] of selectors) {
    assert.ok(selects(sel, podLabels), `${what} does not select the Deployment's pods`);
    assert.not.ok(selects(sel, testLabels), `${what} selects the helm test pod`);
  }
  const sm = only(objects, 'ServiceMonitor');
  const svc = only(objects, 'Service');
  assert.ok(selects(sm.spec.selector.matchLabels, svc.metadata.labels), 'the ServiceMonitor does not select the Service');
  assert.equal(sm.spec.namespaceSelector.matchNames, [svc.metadata.namespace ?? 'default']);
  assert.is(sm.spec.endpoints.length, 1);
  assert.ok(
    svc.spec.ports.some((p: { name: string }) => p.name === sm.spec.endpoints[0].port),
    'the ServiceMonitor scrapes a port the Service does not name',
  );
  assert.is(sm.spec.endpoints[0].path, '/metrics');
  assert.is(sm.metadata.labels?.release, 'kube-prometheus-stack');
  // With autoscaling on, replicas are left to the HPA.
  assert.is(only(objects, 'Deployment').spec.replicas, undefined);
  assert.is(only(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name, only(objects, 'Deployment').metadata.name);
  assert.is(mainContainer(objects).image, `${answersFor().image}:1.2.3@sha256:${'0123456789abcdef'.repeat(4)}`);
});

// ---- environment ----------------------------------------------------------------------------

test('env map, extraEnv and envFrom reach the container; map values become strings', async () => {
  const { objects } = await render(chartFor(), [ALL_ON]);
  const env = envOf(objects);
  assert.is(env.get('FEATURE_X')?.value, 'on');
  assert.is(env.get('MAX_ITEMS')?.value, '1000000');
  assert.is(env.get('RATIO')?.value, '0.25');
  assert.is(env.get('VERBOSE')?.value, 'true');
  assert.equal(env.get('DB_PASSWORD')?.valueFrom, { secretKeyRef: { name: 'demo-db', key: 'password' } });
  assert.is(env.get('EXTRA_ONE')?.value, '1');
  assert.ok(env.get('API_TOKEN')?.valueFrom);
  assert.is(env.get('LOG_LEVEL')?.value, 'debug');
  assert.is(env.get('LOG_FORMAT')?.value, 'console');
  assert.equal(mainContainer(objects).envFrom, [
    { configMapRef: { name: 'demo-config' } },
    { secretRef: { name: 'demo-secrets', optional: true } },
  ]);
  const list = valuesFile({ env: [{ name: 'FROM_LIST', value: 'x' }] });
  assert.is(envOf((await render(chartFor(), [list])).objects).get('FROM_LIST')?.value, 'x');
});

test('tracing on: OTEL_* from the tracing values', async () => {
  const { objects } = await render(chartFor({ tracing: true }), [TRACING]);
  const env = envOf(objects);
  assert.is(env.get('OTEL_SERVICE_NAME')?.value, 'demo-svc');
  assert.is(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value, 'http://otel-collector.observability:4318');
  assert.is(env.get('OTEL_TRACES_SAMPLER')?.value, 'parentbased_traceidratio');
  assert.is(env.get('OTEL_TRACES_SAMPLER_ARG')?.value, '0.1');
  const attrs = env.get('OTEL_RESOURCE_ATTRIBUTES')?.value?.split(',') ?? [];
  assert.ok(attrs.includes('k8s.pod.name=$(K8S_POD_NAME)'));
  assert.ok(attrs.includes('deployment.environment.name=production'));
  // $(VAR) references only work for variables defined earlier in the list.
  const names = [...env.keys()];
  assert.ok(names.indexOf('K8S_POD_NAME') < names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));
  assert.not.ok([...envOf((await render(chartFor())).objects).keys()].some((n) => n.startsWith('OTEL_')));
});

// The settings 0.5.0 added to the service, set through values (not env): each reaches the
// Deployment as its variable, with the service's own default when the values are left alone.
test('requestTimeoutSeconds and the tracing and database settings reach the Deployment as variables', async () => {
  const defaults = envOf((await render(chartFor({ database: 'postgres', tracing: true }))).objects);
  assert.is(defaults.get('REQUEST_TIMEOUT')?.value, '10s');
  assert.is(defaults.get('TRACING_TRUST_REMOTE_PARENT')?.value, 'false');
  assert.is(defaults.get('OTEL_PROPAGATORS')?.value, 'tracecontext');
  assert.is(defaults.get('DATABASE_STATEMENT_TIMEOUT')?.value, '5s');
  assert.is(defaults.get('DATABASE_READINESS')?.value, 'startup');
  const set = envOf(
    (
      await render(chartFor({ database: 'postgres', tracing: true }), [
        valuesFile({
          requestTimeoutSeconds: 4,
          tracing: { trustRemoteParent: true, propagators: ['tracecontext', 'baggage'] },
          database: { statementTimeoutSeconds: 0, readiness: 'always' },
        }),
      ])
    ).objects,
  );
  assert.is(set.get('REQUEST_TIMEOUT')?.value, '4s');
  assert.is(set.get('TRACING_TRUST_REMOTE_PARENT')?.value, 'true');
  assert.is(set.get('OTEL_PROPAGATORS')?.value, 'tracecontext,baggage');
  assert.is(set.get('DATABASE_STATEMENT_TIMEOUT')?.value, '0s');
  assert.is(set.get('DATABASE_READINESS')?.value, 'always');
  // Without the options, only REQUEST_TIMEOUT.
  const plain = envOf((await render(chartFor())).objects);
  assert.is(plain.get('REQUEST_TIMEOUT')?.value, '10s');
  assert.not.ok([...plain.keys()].some((n) => n.startsWith('TRACING_') || n.startsWith('DATABASE_')));
});

const settingRejections: [string, Partial<Answers>, unknown, RegExp][] = [
  ['requestTimeoutSeconds 0', {}, { requestTimeoutSeconds: 0 }, /requestTimeoutSeconds/],
  ['requestTimeoutSeconds as a duration string', {}, { requestTimeoutSeconds: '10s' }, /requestTimeoutSeconds/],
  [
    'a negative statementTimeoutSeconds',
    { database: 'postgres' },
    { database: { statementTimeoutSeconds: -1 } },
    /statementTimeoutSeconds/,
  ],
  ['an unknown database readiness', { database: 'postgres' }, { database: { readiness: 'never' } }, /readiness/],
  ['trustRemoteParent as a string', { tracing: true }, { tracing: { trustRemoteParent: 'yes' } }, /trustRemoteParent/],
  ['an unknown propagator', { tracing: true }, { tracing: { propagators: ['b3'] } }, /propagators/],
  ['no propagator at all', { tracing: true }, { tracing: { propagators: [] } }, /propagators/],
];
for (const [label, answers, values, mention] of settingRejections) {
  test(`values.schema.json refuses ${label} (helm lint and helm template)`, async () => {
    const chart = chartFor(answers);
    const file = valuesFile(values);
    const lint = await helmLint(chart, [file]);
    assert.not.ok(lint.ok, `helm lint accepted ${label}`);
    assert.match(lint.output, mention);
    const tpl = await helmTemplate(chart, [file]);
    assert.not.ok(tpl.ok, `helm template accepted ${label}`);
    assert.match(tpl.output, mention);
  });
}

const envConflicts: [string, unknown, RegExp][] = [
  ['a chart-owned variable in env', { env: { SHUTDOWN_DELAY: '1s' } }, /SHUTDOWN_DELAY.*shutdown\.delaySeconds/],
  ['a chart-owned variable in extraEnv', { extraEnv: [{ name: 'PORT', value: '1' }] }, /PORT.*containerPort/],
  ['a name in both env and extraEnv', { env: { A: '1' }, extraEnv: [{ name: 'A', value: '2' }] }, /A is given twice/],
  [
    'a chart-owned variable in config',
    { config: { LOG_LEVEL: 'debug' } },
    /config: LOG_LEVEL is set by the chart; set the value log\.level instead/,
  ],
  [
    'REQUEST_TIMEOUT in env',
    { env: { REQUEST_TIMEOUT: '5s' } },
    /env: REQUEST_TIMEOUT is set by the chart; set the value requestTimeoutSeconds instead/,
  ],
  ['a config name that is also in env', { config: { A: '1' }, env: { A: '2' } }, /config: A is also in env\/extraEnv/],
  [
    'an init container named like the service container',
    { initContainers: [{ name: 'demo-svc' }] },
    /initContainers: the name demo-svc is taken by the service container/,
  ],
  [
    'two init containers with one name',
    { initContainers: [{ name: 'migrate' }, { name: 'migrate' }] },
    /the name migrate is taken by another init container/,
  ],
  [
    'an init container env name the service already has',
    { initContainers: [{ name: 'migrate', env: [{ name: 'PORT', value: '1' }] }] },
    /initContainers: migrate: env PORT is already in the service's environment/,
  ],
];
for (const [label, values, message] of envConflicts) {
  test(`helm template refuses ${label}`, async () => {
    const r = await helmTemplate(chartFor(), [valuesFile(values)]);
    assert.not.ok(r.ok, `accepted ${label}`);
    assert.match(r.output, message);
  });
}

// ---- database ---------------------------------------------------------------------------------

test('postgres: DATABASE_URL from the existing Secret, and migrate up in an init container of the same image before the service', async () => {
  const { objects } = await render(chartFor({ database: 'postgres' }));
  const env = envOf(objects);
  assert.equal(env.get('DATABASE_URL')?.valueFrom, { secretKeyRef: { name: 'demo-svc-database', key: 'url' } });
  assert.is(env.get('DATABASE_MAX_CONNS')?.value, '10');
  const pod = only(objects, 'Deployment').spec.template.spec;
  const inits = pod.initContainers as any[];
  assert.is(inits.length, 1);
  const migrate = inits[0];
  assert.is(migrate.name, 'migrate');
  assert.equal(migrate.args, ['migrate', 'up']);
  assert.is(migrate.image, mainContainer(objects).image, 'the migrations come from the same image');
  assert.equal(migrate.securityContext, mainContainer(objects).securityContext);
  assert.equal((migrate.env as EnvVar[]).find((e) => e.name === 'DATABASE_URL')?.valueFrom, {
    secretKeyRef: { name: 'demo-svc-database', key: 'url' },
  });
  // Another Secret, no migrations, and the service's own init containers after migrate.
  const other = await render(chartFor({ database: 'postgres' }), [
    valuesFile({ database: { urlSecret: { name: 'orders-pg', key: 'dsn' }, migrate: false }, initContainers: [{ name: 'warm-cache' }] }),
  ]);
  assert.equal(envOf(other.objects).get('DATABASE_URL')?.valueFrom, { secretKeyRef: { name: 'orders-pg', key: 'dsn' } });
  assert.equal(
    (only(other.objects, 'Deployment').spec.template.spec.initContainers as any[]).map((c) => c.name),
    ['warm-cache'],
  );
  const both = await render(chartFor({ database: 'postgres' }), [valuesFile({ initContainers: [{ name: 'warm-cache' }] })]);
  assert.equal(
    (only(both.objects, 'Deployment').spec.template.spec.initContainers as any[]).map((c) => c.name),
    ['migrate', 'warm-cache'],
  );
  // Without the option there is no database block and no init container.
  const none = await render(chartFor());
  assert.is(envOf(none.objects).get('DATABASE_URL'), undefined);
  assert.is(only(none.objects, 'Deployment').spec.template.spec.initContainers, undefined);
});

const databaseRefusals: [string, Partial<Answers>, unknown, RegExp][] = [
  ['a database block without the option', {}, { database: { migrate: false } }, /database/],
  [
    'a Secret name that is no Secret name',
    { database: 'postgres' },
    { database: { urlSecret: { name: 'Orders_PG', key: 'url' } } },
    /urlSecret/,
  ],
  ['a string for migrate', { database: 'postgres' }, { database: { migrate: 'yes' } }, /migrate/],
  ['maxConns 0', { database: 'postgres' }, { database: { maxConns: 0 } }, /maxConns/],
  ['DATABASE_URL in env', { database: 'postgres' }, { env: { DATABASE_URL: 'postgres://x' } }, /DATABASE_URL.*database\.urlSecret/],
  [
    'DATABASE_READINESS in config',
    { database: 'postgres' },
    { config: { DATABASE_READINESS: 'always' } },
    /config: DATABASE_READINESS is set by the chart; set the value database\.readiness instead/,
  ],
  [
    'TRACING_TRUST_REMOTE_PARENT in env (tracing on)',
    { tracing: true },
    { env: { TRACING_TRUST_REMOTE_PARENT: 'true' } },
    /TRACING_TRUST_REMOTE_PARENT.*tracing\.trustRemoteParent/,
  ],
  [
    "an init container named migrate beside the chart's",
    { database: 'postgres' },
    { initContainers: [{ name: 'migrate' }] },
    /the name migrate is taken/,
  ],
];
for (const [label, answers, values, message] of databaseRefusals) {
  test(`helm template refuses ${label}`, async () => {
    const r = await helmTemplate(chartFor(answers), [valuesFile(values)]);
    assert.not.ok(r.ok, `accepted ${label}`);
    assert.match(r.output, message);
  });
}

// ---- user text and names --------------------------------------------------------------------

test('a description full of special characters comes out exactly, and the chart still lints', async () => {
  const chart = chartFor({ description: HOSTILE });
  const meta = parseYaml(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { description: string; appVersion: string };
  assert.is(meta.description, HOSTILE);
  assert.is(meta.appVersion, '0.1.0');
  const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as { description: string };
  assert.is(schema.description, HOSTILE);
  const readmeLines = readFileSync(join(chart, 'README.md'), 'utf8').split('\n');
  assert.ok(readmeLines.includes(HOSTILE), 'README.md lost or changed the description');
  const lint = await helmLint(chart);
  assert.ok(lint.ok, show(lint));
  const r = await render(chart);
  assert.ok(r.objects.length > 0);
});

test('every answer flipped (registry with a port, port 9090, no metrics, tracing): lints and validates', async () => {
  const answers: Partial<Answers> = {
    name: 'orders-api',
    description: HOSTILE,
    port: 9090,
    image: 'registry.acme.test:5000/team/orders',
    metrics: false,
    tracing: true,
  };
  const chart = chartFor(answers);
  const lint = await helmLint(chart, [TRACING]);
  assert.ok(lint.ok, show(lint));
  const { yaml, objects } = await render(chart, [TRACING]);
  assert.is(mainContainer(objects).image, 'registry.acme.test:5000/team/orders:0.1.0');
  assert.is(mainContainer(objects).ports[0].containerPort, 9090);
  assert.is(only(objects, 'Deployment').spec.template.metadata.annotations, undefined);
  const v = await kubectlValidate(yaml, '1.37');
  assert.ok(v.ok, show(v));
  const psa = await podSecurityRestricted(yaml);
  assert.ok(psa.ok, show(psa));
});

test('a 53-character name and a long release name: names and label values fit in 63', async () => {
  const name = `orders-${'x'.repeat(45)}9`;
  assert.is(name.length, 53);
  const chart = chartFor({ name });
  const release = 'production-eu-west-1-blue';
  const { yaml, objects } = await render(chart, [ALL_ON], { release });
  const dnsLabel = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  assert.ok(testPod(objects), 'the test pod is rendered');
  for (const o of objects) {
    // Every name, the test pod's included: a pod's name becomes its hostname, a DNS label.
    assert.ok(o.metadata.name.length <= 63, `${o.kind} name ${o.metadata.name} is longer than 63`);
    assert.match(o.metadata.name, dnsLabel, `${o.kind} name`);
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
      assert.ok(v.length <= 63 && labelValue.test(v), `${o.kind} label ${k}=${v}`);
    }
  }
  assert.is(only(objects, 'Service').metadata.name, `${release}-${name}`.slice(0, 63).replace(/-+$/, ''));
  assert.ok(mainContainer(objects).name.length <= 63);
  const lint = await helmLint(chart, [ALL_ON]);
  assert.ok(lint.ok, show(lint));
  const v = await kubectlValidate(yaml, '1.37');
  assert.ok(v.ok, show(v));
});

test.run();
