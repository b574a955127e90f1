// The chart per environment: values-dev/staging/prod.yaml layered over values.yaml, and the
// values for config (a ConfigMap with a checksum annotation), an existing Secret, a pull secret
// and init containers. Each combination passes `helm lint --strict`, kubectl-validate
// (Kubernetes 1.37 and 1.30), Pod Security "restricted" and kube-score (the chart README's
// ignores); the rendered objects are read back and compared with the values files. No Secret
// is ever rendered, and regen never touches the environment files once they exist.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { answersFor, chartDirFor, valuesFileWriter } from '../support/generate.js';
import {
  ensureTools,
  helmLint,
  helmTemplate,
  helmUpgradeReplay,
  kubeScore,
  kubectlValidate,
  podSecurityRestricted,
  type K8sVersion,
  type ToolResult,
} from '../support/tools.js';
import { FILES, filesFor, outputPath } from '../../generators/model/files.js';
import { scaffold } from '../../generators/render/scaffold.js';
import { regenerate } from '../../generators/engines/regen.js';
import type { Answers } from '../../generators/model/questions.js';

/** The same ignores as chart.test.ts; each is justified in the chart README. */
const IGNORED = ['container-image-pull-policy', 'pod-networkpolicy', 'deployment-has-host-podantiaffinity'];
const K8S_VERSIONS: K8sVersion[] = ['1.37', '1.30'];
const ENVS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVS)[number];
/** The knobs an environment file may set; everything else comes from values.yaml. */
const ENV_KEYS = ['replicaCount', 'autoscaling', 'podDisruptionBudget', 'log', 'resources', 'ingress'];

const fixtures = fileURLToPath(new URL('../fixtures/environments/', import.meta.url));
const EXTRAS = join(fixtures, 'extras.yaml');

const scratch = mkdtempSync(join(tmpdir(), 'cgks-env-test-'));
const valuesFile = valuesFileWriter(scratch);

// ---- the generated chart (a whole repo, as in chart.test.ts) ----------------------------------

const generated: string[] = [];
const chartFor = (overrides: Partial<Answers> = {}): string => chartDirFor(overrides, generated, 'cgks-env-repo-');

const envFile = (env: Env, answers: Partial<Answers> = {}): string => join(chartFor(answers), `values-${env}.yaml`);
const readYaml = <T = any>(path: string): T => parseYaml(readFileSync(path, 'utf8')) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---- rendering ------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
  [key: string]: unknown;
}

interface Rendered {
  yaml: string;
  objects: K8sObject[];
}

/** Every successful render of this file, to prove no Secret ever comes out. */
const allRendered: { label: string; objects: K8sObject[] }[] = [];

async function render(chart: string, files: readonly string[], set: Record<string, string> = {}): Promise<Rendered> {
  const r = await helmTemplate(chart, files, { set });
  assert.ok(r.ok, `helm template ${files.join(' ')} failed:\n${r.output}`);
  const objects = parseAllDocuments(r.output)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
  allRendered.push({ label: files.join(' + '), objects });
  return { yaml: r.output, objects };
}

function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  assert.is(found.length, 1, `expected one ${kind}, found ${found.length}`);
  return found[0]!;
}
const none = (objects: K8sObject[], kind: string): void =>
  assert.is(objects.filter((o) => o.kind === kind).length, 0, `a ${kind} was rendered`);

const podSpec = (objects: K8sObject[]) => only(objects, 'Deployment').spec.template.spec;
const podAnnotations = (objects: K8sObject[]): Record<string, string> =>
  only(objects, 'Deployment').spec.template.metadata.annotations ?? {};
const mainContainer = (objects: K8sObject[]) => {
  const containers = podSpec(objects).containers as any[];
  assert.is(containers.length, 1);
  return containers[0]!;
};
const initContainers = (objects: K8sObject[]): any[] => podSpec(objects).initContainers ?? [];
const testPod = (objects: K8sObject[]) => objects.find((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test');
const envValue = (container: any, name: string): string | undefined =>
  (container.env as { name: string; value?: string }[]).find((e) => e.name === name)?.value;

const show = (r: ToolResult): string => r.output.slice(0, 4000);

// ---- every environment, and the extras, through every tool --------------------------------------

interface Case {
  label: string;
  answers: Partial<Answers>;
  files: () => string[];
}

const cases: Case[] = [
  ...ENVS.map((env) => ({ label: `values-${env}.yaml`, answers: {}, files: () => [envFile(env)] })),
  { label: 'extras (config, existingSecret, pull secret, init containers)', answers: {}, files: () => [EXTRAS] },
  ...ENVS.map((env) => ({ label: `values-${env}.yaml + extras`, answers: {}, files: () => [envFile(env), EXTRAS] })),
  {
    label: 'metrics off, tracing on: values-prod.yaml + extras',
    answers: { metrics: false, tracing: true },
    files: () => [envFile('prod', { metrics: false, tracing: true }), EXTRAS],
  },
];

test.before(async () => {
  await ensureTools(['helm', 'kubectl-validate', 'schemas', 'crds', 'kube-score', 'psacheck']);
});

test.after(() => {
  for (const dir of [scratch, ...generated]) rmSync(dir, { recursive: true, force: true });
});

for (const c of cases) {
  let rendered: Promise<Rendered> | undefined;
  const get = (): Promise<Rendered> => (rendered ??= render(chartFor(c.answers), c.files()));

  test(`${c.label}: helm lint --strict is clean`, async () => {
    const lint = await helmLint(chartFor(c.answers), c.files());
    assert.ok(lint.ok, show(lint));
    assert.not.match(lint.output, /\[(WARNING|ERROR)\]/);
  });

  for (const v of K8S_VERSIONS) {
    test(`${c.label}: kubectl-validate accepts the output (Kubernetes ${v})`, async () => {
      const r = await kubectlValidate((await get()).yaml, v);
      assert.ok(r.ok, show(r));
    });
  }

  test(`${c.label}: every pod template, init containers included, meets Pod Security "restricted"`, async () => {
    const r = await podSecurityRestricted((await get()).yaml);
    assert.ok(r.ok, show(r));
  });

  test(`${c.label}: kube-score finds nothing but the ignored checks`, async () => {
    const r = await kubeScore((await get()).yaml, IGNORED);
    assert.ok(r.ok, show(r));
  });
}

// ---- autoscaling taking over a live release ---------------------------------------------------

/** The Deployment as the API server keeps it after applying a rendered one (status and defaults aside). */
const stored = (deployment: any, replicas?: number): any => ({
  ...deployment,
  metadata: { ...deployment.metadata, namespace: 'default', uid: 'u-1', resourceVersion: '7' },
  spec: { ...deployment.spec, ...(replicas === undefined ? {} : { replicas }) },
});

test("switching autoscaling on keeps the live replica count (Helm engine with lookup, helm upgrade's three-way patch)", async () => {
  const chart = chartFor();
  // helm install with values.yaml: two replicas, no HPA.
  const installed = (await helmUpgradeReplay(chart, [])).rendered;
  assert.is(installed.spec.replicas, 2);

  // helm upgrade -f values-prod.yaml (autoscaling on): the pods there stay until the HPA decides.
  const up = await helmUpgradeReplay(chart, [envFile('prod')], { live: stored(installed), previous: installed });
  assert.is(up.rendered.spec.replicas, 2, 'the chart renders the live count when autoscaling is on');
  assert.is(up.result!.spec.replicas, 2, `live replicas after the upgrade (patch ${JSON.stringify(up.patch)})`);

  // The HPA scaled to 7; the next upgrade (a new image) leaves that alone.
  const next = await helmUpgradeReplay(chart, [envFile('prod')], {
    live: stored(up.rendered, 7),
    previous: up.rendered,
    setString: { 'image.tag': '1.2.4' },
  });
  assert.is(next.result!.spec.replicas, 7, `after an upgrade the HPA's count stays (patch ${JSON.stringify(next.patch)})`);
  assert.match(next.result!.spec.template.spec.containers[0].image, /:1\.2\.4$/);

  // Autoscaling off again: replicaCount from the values is what the release asks for.
  const off = await helmUpgradeReplay(chart, [envFile('staging')], { live: stored(next.rendered, 7), previous: next.rendered });
  assert.is(off.result!.spec.replicas, 2);
});

test('with autoscaling on and nothing live (first install, helm template, GitOps renderers) replicas is left to the HPA', async () => {
  const chart = chartFor();
  const first = await helmUpgradeReplay(chart, [envFile('prod')]);
  assert.not.ok('replicas' in first.rendered.spec, JSON.stringify(first.rendered.spec));
  const tpl = await render(chart, [envFile('prod')]);
  assert.not.ok('replicas' in only(tpl.objects, 'Deployment').spec);
  // A Deployment of another release with the same name in another namespace is not this one.
  const elsewhere = {
    ...stored((await helmUpgradeReplay(chart, [])).rendered, 9),
    metadata: { name: 'release-demo-svc', namespace: 'other' },
  };
  const notMine = await helmUpgradeReplay(chart, [envFile('prod')], { live: elsewhere });
  assert.not.ok('replicas' in notMine.rendered.spec);
});

// ---- the environment files ----------------------------------------------------------------------

test('the environment files are rows of the table that are written once, in the chart group, for every answer', () => {
  for (const env of ENVS) {
    const row = FILES.find((f) => f.path === `charts/<name>/values-${env}.yaml`);
    assert.ok(row, `no row for values-${env}.yaml`);
    assert.is(row.lifecycle, 'once');
    assert.is(row.group, 'chart');
    assert.is(row.when, undefined);
  }
  // values.yaml itself stays regenerable: the environment files only layer over it.
  assert.is(FILES.find((f) => f.path === 'charts/<name>/values.yaml')!.lifecycle, 'regenerable');
  for (const answers of [answersFor(), answersFor({ metrics: false, tracing: true, ci: 'none' })]) {
    const paths = filesFor(answers).map((f) => outputPath(f, answers));
    for (const env of ENVS) assert.ok(paths.includes(`charts/demo-svc/values-${env}.yaml`));
  }
});

test('each environment file holds only the per-environment knobs, and the environments differ', () => {
  const seen = new Map<string, Env>();
  for (const env of ENVS) {
    const values = readYaml<Record<string, any>>(envFile(env));
    for (const key of Object.keys(values)) assert.ok(ENV_KEYS.includes(key), `values-${env}.yaml sets ${key}`);
    for (const key of ENV_KEYS) assert.ok(key in values, `values-${env}.yaml does not set ${key}`);
    assert.equal(Object.keys(values.log), ['level'], `values-${env}.yaml: log holds only level`);
    const host = values.ingress.hosts[0].host as string;
    assert.match(host, /^demo-svc\..*example\.com$/, `values-${env}.yaml: the ingress host is a placeholder`);
    const shape = JSON.stringify([values.resources, host]);
    assert.not.ok(seen.has(shape), `values-${env}.yaml is the same as values-${seen.get(shape)}.yaml`);
    seen.set(shape, env);
  }
  assert.is(readYaml(envFile('dev')).log.level, 'debug');
  assert.is(readYaml(envFile('prod')).autoscaling.enabled, true);
});

for (const env of ENVS) {
  test(`values-${env}.yaml: the rendered objects carry what the file says`, async () => {
    const values = readYaml<Record<string, any>>(envFile(env));
    const { objects } = await render(chartFor(), [envFile(env)]);
    const c = mainContainer(objects);
    assert.is(envValue(c, 'LOG_LEVEL'), values.log.level);
    assert.equal(c.resources, values.resources);
    const dep = only(objects, 'Deployment');
    if (values.autoscaling.enabled) {
      assert.is(dep.spec.replicas, undefined, 'replicas set although the HPA owns them');
      const hpa = only(objects, 'HorizontalPodAutoscaler');
      assert.is(hpa.spec.minReplicas, values.autoscaling.minReplicas);
      assert.is(hpa.spec.maxReplicas, values.autoscaling.maxReplicas);
      assert.is(hpa.spec.metrics[0].resource.target.averageUtilization, values.autoscaling.targetCPUUtilizationPercentage);
      assert.equal(hpa.spec.behavior, values.autoscaling.behavior);
    } else {
      assert.is(dep.spec.replicas, values.replicaCount);
      none(objects, 'HorizontalPodAutoscaler');
    }
    if (values.podDisruptionBudget.enabled) {
      assert.is(only(objects, 'PodDisruptionBudget').spec.maxUnavailable, values.podDisruptionBudget.maxUnavailable);
    } else {
      none(objects, 'PodDisruptionBudget');
    }
    if (values.ingress.enabled) {
      const ing = only(objects, 'Ingress');
      assert.equal(
        ing.spec.rules.map((r: { host: string }) => r.host),
        values.ingress.hosts.map((h: { host: string }) => h.host),
      );
    } else {
      none(objects, 'Ingress');
    }
    // Nothing else moved: the probes, the port and the security settings are values.yaml's.
    const { objects: base } = await render(chartFor(), []);
    const strip = (x: any) => ({ ...x, env: undefined, resources: undefined });
    assert.equal(strip(c), strip(mainContainer(base)));
  });
}

// ---- config: a ConfigMap, envFrom, and a checksum that follows it alone ----------------------

const extras = readYaml<Record<string, any>>(EXTRAS);

test('config becomes a ConfigMap of strings, given to the container with envFrom', async () => {
  const { objects } = await render(chartFor(), [EXTRAS]);
  const cm = only(objects, 'ConfigMap');
  assert.equal(cm.data, {
    UPSTREAM_URL: 'http://inventory.shop.svc.cluster.local',
    CACHE_TTL: '5m',
    MAX_ITEMS: '1000000',
    RATIO: '0.25',
    FEATURE_NEW_CHECKOUT: 'true',
  });
  assert.is(cm.metadata.labels?.['app.kubernetes.io/name'], 'demo-svc');
  // ConfigMap first, then the existing Secret, then envFrom from values: later sources win.
  assert.equal(mainContainer(objects).envFrom, [
    { configMapRef: { name: cm.metadata.name } },
    { secretRef: { name: extras.existingSecret } },
    ...extras.envFrom,
  ]);
  assert.match(podAnnotations(objects)['checksum/config'] ?? '', /^[0-9a-f]{64}$/);
});

test('without config: no ConfigMap, no configMapRef, no checksum annotation', async () => {
  const { objects } = await render(chartFor(), []);
  none(objects, 'ConfigMap');
  assert.is(mainContainer(objects).envFrom, undefined);
  assert.is(podAnnotations(objects)['checksum/config'], undefined);
});

test('checksum/config changes with config, and only with config', async () => {
  const chart = chartFor();
  const checksum = async (...files: string[]) => podAnnotations((await render(chart, [EXTRAS, ...files])).objects)['checksum/config'];
  const base = await checksum();
  assert.ok(base);
  const changedConfig: [string, unknown][] = [
    ['a value changed', { config: { CACHE_TTL: '10m' } }],
    ['a key added', { config: { NEW_KEY: 'x' } }],
    ['a number changed', { config: { MAX_ITEMS: 1000001 } }],
  ];
  for (const [label, values] of changedConfig) {
    assert.is.not(await checksum(valuesFile(values)), base, `checksum unchanged after ${label}`);
  }
  const changedElsewhere: [string, unknown][] = [
    ['replicaCount', { replicaCount: 5 }],
    ['log.level', { log: { level: 'debug' } }],
    ['image.tag', { image: { tag: '9.9.9' } }],
    ['existingSecret', { existingSecret: 'other-secrets' }],
    ['resources', { resources: { limits: { memory: '512Mi' } } }],
    ['env', { env: { OTHER: 'x' } }],
    ['commonLabels', { commonLabels: { team: 'payments' } }],
    ['the same config written as strings', { config: { MAX_ITEMS: '1000000', FEATURE_NEW_CHECKOUT: 'true' } }],
  ];
  for (const [label, values] of changedElsewhere) {
    assert.is(await checksum(valuesFile(values)), base, `checksum changed after a change to ${label}`);
  }
  for (const env of ENVS) assert.is(await checksum(envFile(env)), base, `values-${env}.yaml changed the checksum`);
});

// ---- existing Secret, pull secret, init containers ---------------------------------------------

test('existingSecret and imagePullSecrets reach the service, its init containers and the test pod', async () => {
  const { objects } = await render(chartFor(), [EXTRAS]);
  assert.equal(podSpec(objects).imagePullSecrets, extras.imagePullSecrets);
  assert.equal(testPod(objects)!.spec.imagePullSecrets, extras.imagePullSecrets);
  const secretRef = { secretRef: { name: extras.existingSecret } };
  assert.ok(mainContainer(objects).envFrom.some((e: unknown) => JSON.stringify(e) === JSON.stringify(secretRef)));
  for (const ic of initContainers(objects)) {
    assert.ok(
      ic.envFrom.some((e: unknown) => JSON.stringify(e) === JSON.stringify(secretRef)),
      ic.name,
    );
  }
});

test('init containers default to the chart image, resources and restricted securityContext, with /tmp and the environment', async () => {
  const { objects } = await render(chartFor(), [EXTRAS]);
  const main = mainContainer(objects);
  const spec = podSpec(objects);
  const [migrate, seed, ...rest] = initContainers(objects);
  assert.equal(rest, []);
  assert.is(migrate.name, 'migrate');
  assert.is(seed.name, 'seed');

  // migrate: everything from the chart.
  assert.is(migrate.image, main.image);
  assert.is(migrate.imagePullPolicy, main.imagePullPolicy);
  assert.equal(migrate.args, ['migrate']);
  assert.is(migrate.command, undefined);
  assert.equal(migrate.securityContext, main.securityContext);
  assert.is(migrate.securityContext.allowPrivilegeEscalation, false);
  assert.is(migrate.securityContext.readOnlyRootFilesystem, true);
  assert.is(migrate.securityContext.runAsNonRoot, true);
  assert.equal(migrate.securityContext.capabilities, { drop: ['ALL'] });
  assert.equal(migrate.resources, main.resources);
  assert.equal(migrate.env, [...main.env, { name: 'MIGRATE_LOCK_TIMEOUT', value: '60s' }]);
  assert.equal(migrate.envFrom, main.envFrom);
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe', 'lifecycle', 'ports']) {
    assert.is(migrate[probe], undefined, `init container has ${probe}`);
  }

  // seed: its own image, resources and user; the chart's other securityContext keys kept.
  const s = extras.initContainers[1];
  assert.is(seed.image, s.image);
  assert.equal(seed.command, s.command);
  assert.equal(seed.args, s.args);
  assert.equal(seed.resources, s.resources);
  assert.equal(seed.securityContext, { ...main.securityContext, runAsUser: 10001, runAsGroup: 10001 });
  assert.equal(seed.envFrom, [...main.envFrom, ...s.envFrom]);

  // Both get the /tmp emptyDir (and seed its own mount after it).
  const tmpVolume = (spec.volumes as { name: string; emptyDir?: unknown }[]).find((v) => v.emptyDir);
  assert.ok(tmpVolume);
  for (const ic of [migrate, seed]) {
    assert.equal(ic.volumeMounts[0], { name: tmpVolume.name, mountPath: '/tmp' }, ic.name);
  }
  assert.equal(seed.volumeMounts.slice(1), s.volumeMounts);
});

test('psacheck looks at init containers: a privileged one fails "restricted" (negative control)', async () => {
  const file = valuesFile({
    initContainers: [{ name: 'migrate', args: ['migrate'], securityContext: { allowPrivilegeEscalation: true } }],
  });
  const { yaml } = await render(chartFor(), [file]);
  const r = await podSecurityRestricted(yaml);
  assert.not.ok(r.ok, 'psacheck accepted an init container with allowPrivilegeEscalation: true');
  assert.match(r.output, /allowPrivilegeEscalation/);
});

// ---- no Secret, ever -------------------------------------------------------------------------

test('no template of the chart makes a Secret, and no render of this file produced one', () => {
  const templates = join(chartFor(), 'templates');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const f of walk(templates)) assert.not.match(readFileSync(f, 'utf8'), /^\s*kind:\s*["']?Secret\b/m, f);
  // Runs after the render tests above (uvu runs tests in order).
  assert.ok(allRendered.length >= cases.length, `only ${allRendered.length} renders recorded`);
  for (const r of allRendered) {
    assert.not.ok(
      r.objects.some((o) => o.kind === 'Secret'),
      `${r.label} rendered a Secret`,
    );
  }
});

// ---- regen leaves the environment files to the team --------------------------------------------

test('regen chart keeps an edited environment file, recreates a deleted one only when named', async () => {
  const dir = join(mkdtempSync(join(scratch, 'repo-')), 'demo-svc');
  scaffold(dir, answersFor());
  const prod = 'charts/demo-svc/values-prod.yaml';
  const dev = 'charts/demo-svc/values-dev.yaml';
  const original = readFileSync(join(dir, dev), 'utf8');
  const edited = readFileSync(join(dir, prod), 'utf8').replace('maxReplicas: 10', 'maxReplicas: 40');
  assert.ok(edited.includes('maxReplicas: 40'));
  writeFileSync(join(dir, prod), edited);
  rmSync(join(dir, dev));

  const report = await regenerate({ cwd: dir, targets: ['chart'], interactive: false });
  const action = (p: string) => report.files.find((f) => f.path === p)?.action;
  assert.is(action(prod), 'kept');
  assert.is(report.conflicts.length, 0);
  assert.is(readFileSync(join(dir, prod), 'utf8'), edited);
  // Deleted on purpose: left alone by a group regen...
  assert.is(action(dev), 'missing');
  // ...and created again when named.
  const named = await regenerate({ cwd: dir, targets: [dev], interactive: false });
  assert.is(named.files.find((f) => f.path === dev)?.action, 'create');
  assert.is(readFileSync(join(dir, dev), 'utf8'), original);
  // --force overwrites edited regenerable files, never the team's environment files.
  const forced = await regenerate({ cwd: dir, targets: ['chart'], interactive: false, force: true });
  assert.is(forced.files.find((f) => f.path === prod)?.action, 'kept');
  assert.is(readFileSync(join(dir, prod), 'utf8'), edited);
});

test.run();
