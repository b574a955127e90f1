// The value sets the real-cluster suite installs (test/cluster/support/chart-values.ts), checked
// without a cluster: each renders, Kubernetes' own schemas accept it, every pod template meets
// Pod Security "restricted", nothing is ever pulled (the images are imported into the node),
// and "every option on" keeps every option that one node can run.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { allOnOneNode, ENVIRONMENTS } from '../cluster/support/chart-values.js';
import { imageSets } from '../cluster/support/harness.js';
import { chartDirFor } from '../support/generate.js';
import { helmTemplate, kubectlValidate, podSecurityRestricted } from '../support/tools.js';

const generated: string[] = [];
const chart = chartDirFor({ name: 'demo-svc' }, generated, 'cgks-cluster-values-');
const scratch = mkdtempSync(join(tmpdir(), 'cgks-cluster-values-'));
const IMAGES = {
  app: { repository: 'localhost/cgks-cluster/demo-svc', tag: '1.0.0' },
  debug: { repository: 'localhost/cgks-cluster/demo-svc', tag: '1.0.0-memdebug' },
  tests: { repository: 'localhost/cgks-cluster/busybox', tag: 'stand-in' },
};
/** imageSets() as the `set` map helmTemplate takes. */
const sets = Object.fromEntries(
  imageSets(IMAGES)
    .filter((a) => a !== '--set')
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

/* eslint-disable @typescript-eslint/no-explicit-any */
async function rendered(valuesFile: string, withTests = true): Promise<{ yaml: string; objects: any[] }> {
  const r = await helmTemplate(chart, [valuesFile], { releaseName: 'demo', namespace: 'cgks', set: sets });
  assert.ok(r.ok, r.output);
  const objects = parseAllDocuments(r.output)
    .map((d) => d.toJS())
    .filter(Boolean);
  return { yaml: r.output, objects: withTests ? objects : objects.filter((o) => !o.metadata?.annotations?.['helm.sh/hook']) };
}

const podSpecs = (objects: any[]) =>
  objects.flatMap((o) => (o.kind === 'Pod' ? [o.spec] : o.spec?.template?.spec ? [o.spec.template.spec] : []));

function neverPulled(objects: any[]): string[] {
  const refs = [`${IMAGES.app.repository}:${IMAGES.app.tag}`, `${IMAGES.tests.repository}:${IMAGES.tests.tag}`];
  return podSpecs(objects).flatMap((s) =>
    [...(s.initContainers ?? []), ...s.containers].flatMap((c: any) => [
      ...(c.imagePullPolicy === 'Never' ? [] : [`${c.name}: imagePullPolicy ${c.imagePullPolicy}`]),
      ...(refs.includes(c.image) ? [] : [`${c.name}: image ${c.image} is not one the suite imports`]),
    ]),
  );
}

async function checks(file: string): Promise<any[]> {
  const { yaml, objects } = await rendered(file);
  assert.equal(neverPulled(objects), []);
  const v = await kubectlValidate(yaml, '1.35');
  assert.ok(v.ok, v.output);
  const psa = await podSecurityRestricted(yaml);
  assert.ok(psa.ok, psa.output);
  return objects;
}

for (const env of ENVIRONMENTS) {
  test(`values-${env}.yaml with the suite's images: renders, valid for Kubernetes 1.35, restricted, never pulls`, async () => {
    const objects = await checks(join(chart, `values-${env}.yaml`));
    assert.ok(objects.some((o) => o.kind === 'Deployment'));
  });
}

test('every option on, for one node: valid, restricted, never pulls, and still renders every optional object', async () => {
  const { values, adjustments } = allOnOneNode();
  const file = join(scratch, 'all-on-one-node.yaml');
  writeFileSync(file, stringifyYaml(values));
  const objects = await checks(file);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of [
    'Deployment',
    'Service',
    'ServiceAccount',
    'ConfigMap',
    'HorizontalPodAutoscaler',
    'PodDisruptionBudget',
    'Ingress',
    'HTTPRoute',
    'ServiceMonitor',
    'NetworkPolicy',
    'Pod',
  ]) {
    assert.ok(kinds.has(k), `no ${k} in ${[...kinds].join(', ')}`);
  }
  const dep = objects.find((o) => o.kind === 'Deployment');
  const spec = dep.spec.template.spec;
  assert.equal(
    spec.initContainers.map((c: any) => c.name),
    ['version'],
  );
  assert.ok(spec.containers[0].envFrom.some((e: any) => e.secretRef?.name === 'demo-existing'));
  // One node is one zone and one host: nothing may refuse to schedule for want of another.
  const hard = (spec.topologySpreadConstraints ?? []).filter((t: any) => t.whenUnsatisfiable === 'DoNotSchedule');
  assert.equal(hard, []);
  assert.ok(
    adjustments.every((a) => a.why.length > 20),
    'each change says why',
  );
});

test('the check for pulled images can fail: the chart as generated would pull busybox and ghcr.io', async () => {
  const r = await helmTemplate(chart, [join(chart, 'values-dev.yaml')], { releaseName: 'demo', namespace: 'cgks' });
  assert.ok(r.ok, r.output);
  const problems = neverPulled(
    parseAllDocuments(r.output)
      .map((d) => d.toJS())
      .filter(Boolean),
  );
  assert.ok(problems.some((p) => p.includes('busybox')) && problems.some((p) => p.includes('ghcr.io')), problems.join('\n'));
});
/* eslint-enable @typescript-eslint/no-explicit-any */

test.after(() => {
  for (const d of [scratch, ...generated]) rmSync(d, { recursive: true, force: true });
});

test.run();
