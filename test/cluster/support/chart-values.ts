// The value sets the real-cluster suite installs the generated chart with: each environment's
// values file as generated, and "every option on" (test/fixtures/chart/all-on.yaml, the set
// test/e2e/chart.test.ts renders) changed only where one node cannot satisfy it, each change
// with its reason. Also the objects those options refer to, which a real cluster must hold.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const ALL_ON = fileURLToPath(new URL('../../fixtures/chart/all-on.yaml', import.meta.url));

export interface Adjustment {
  key: string;
  why: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface OneNodeValues {
  values: Record<string, any>;
  /** What differs from all-on.yaml and why. */
  adjustments: Adjustment[];
}

/** all-on.yaml for one node; the images come from imageSets() (--set wins over files). */
export function allOnOneNode(): OneNodeValues {
  const values = parseYaml(readFileSync(ALL_ON, 'utf8')) as Record<string, any>;
  const adjustments: Adjustment[] = [];
  const change = (key: string, why: string, apply: () => void) => {
    apply();
    adjustments.push({ key, why });
  };
  change('image.digest', 'all-on.yaml names a made-up digest; the imported image is found by its tag (pullPolicy Never)', () => {
    values.image.digest = '';
  });
  change(
    'topologySpreadConstraints',
    "all-on.yaml's zone constraint is DoNotSchedule with minDomains 2: one node is one domain, so a second pod could never be placed; the chart's defaults (ScheduleAnyway) instead",
    () => {
      delete values.topologySpreadConstraints;
    },
  );
  change('config', 'not in all-on.yaml: one key, so the chart renders its ConfigMap and the checksum/config annotation', () => {
    values.config = { GREETING_STYLE: 'plain' };
  });
  change('existingSecret', 'not in all-on.yaml: a Secret the suite creates, taken whole as environment', () => {
    values.existingSecret = 'demo-existing';
  });
  change('initContainers', "not in all-on.yaml: one init container with the service's own image (`demo-svc version`, exits 0)", () => {
    values.initContainers = [{ name: 'version', args: ['version'] }];
  });
  return { values, adjustments };
}

/** Objects all-on's values refer to (Secrets, a ConfigMap, a PriorityClass), for namespace NS. */
export function allOnPrerequisites(ns: string): any[] {
  const secret = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    stringData: data,
  });
  return [
    secret('demo-db', { password: 'not-a-real-password' }),
    secret('demo-api', { token: 'not-a-real-token' }),
    secret('demo-secrets', { EXTRA_SECRET: 'x' }),
    secret('demo-existing', { EXISTING_SECRET_VALUE: 'y' }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-config', namespace: ns }, data: { 'settings.txt': 'a=b\n' } },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'high-priority' },
      value: 1000,
      globalDefault: false,
      description: "the generated chart's all-on values name it (real-cluster suite)",
    },
  ];
}
/* eslint-enable @typescript-eslint/no-explicit-any */
