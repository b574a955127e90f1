// The Helm chart: probes on /healthz and /ready at the http port, runAsNonRoot, and metrics on an
// admin port of their own that nothing routes from outside. The chart's templates are Go
// templates, not YAML: what they take from .Values is read from the values files, each
// environment's merged over values.yaml as Helm does.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Answers } from '../../model/questions.js';
import { Checker } from './checker.js';

type Values = Record<string, unknown>;

export interface ProbeSpec {
  key: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  paths: readonly string[];
  required: boolean;
}
export const PROBES: readonly ProbeSpec[] = [
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

export const scalar = (s: string | undefined) => s?.trim().replace(/^["']|["']$/g, '');

const get = (obj: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

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

interface Chart {
  dir: string;
  deployment: string;
  deploymentFile: string;
  valuesFile: string;
  values: Values;
  /** Each values-<env>.yaml, merged over values.yaml. */
  envs: { file: string; values: Values }[];
}

/**
 * The chart's deployment template and values (values.yaml first, then each values-*.yaml);
 * undefined when one is missing or not YAML (a violation of probes, reported once).
 */
function readChart(c: Checker, a: Answers): Chart | undefined {
  return c.once('chart', () => {
    const dir = `charts/${a.name}`;
    const deploymentFile = `${dir}/templates/deployment.yaml`;
    const valuesFile = `${dir}/values.yaml`;
    const valuesText = c.read('probes', valuesFile);
    const deployment = c.read('probes', deploymentFile);
    if (valuesText === undefined || deployment === undefined) return undefined;
    const parse = (file: string, text: string): Values | undefined => {
      try {
        return (parseYaml(text) ?? {}) as Values;
      } catch (err) {
        c.fail('probes', file, `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
        return undefined;
      }
    };
    const values = parse(valuesFile, valuesText);
    if (values === undefined) return undefined;
    const envs: Chart['envs'] = [];
    for (const name of readdirSync(join(c.root, dir))
      .filter((f) => /^values-[^/]+\.ya?ml$/.test(f))
      .sort()) {
      const file = `${dir}/${name}`;
      const env = parse(file, c.optional(file)!);
      if (env !== undefined) envs.push({ file, values: mergeValues(values, env) as Values });
    }
    return { dir, deployment, deploymentFile, valuesFile, values, envs };
  });
}

type ValuesCheck = (c: Checker, chart: Chart, values: Values, valuesFile: string) => void;

/**
 * A check of the chart rendered with values.yaml, then with each environment's values: a
 * violation values.yaml already has is reported once, for values.yaml.
 */
function inEveryEnvironment(c: Checker, a: Answers, check: ValuesCheck): void {
  const chart = readChart(c, a);
  if (!chart) return;
  const base = new Checker(c.root);
  check(base, chart, chart.values, chart.valuesFile);
  c.violations.push(...base.violations);
  const seen = new Set(base.violations.map((v) => `${v.rule} ${v.message}`));
  for (const env of chart.envs) {
    const one = new Checker(c.root);
    check(one, chart, env.values, env.file);
    const label = env.file.slice(chart.dir.length + 1);
    for (const v of one.violations) if (!seen.has(`${v.rule} ${v.message}`)) c.fail(v.rule, v.file, `${label}: ${v.message}`);
  }
}

/** The container port named http, which the probes use by name; problems are the probes rule's. */
function httpPort(c: Checker | undefined, a: Answers, chart: Chart, values: Values, valuesFile: string): number | undefined {
  const { deployment, deploymentFile } = chart;
  const portsBlock = /-\s*name:\s*"?http"?\s*\n\s*containerPort:\s*(.+)|-\s*containerPort:\s*(.+)\n\s*name:\s*"?http"?/.exec(deployment);
  const portExpr = scalar(portsBlock?.[1] ?? portsBlock?.[2]);
  if (portExpr === undefined) {
    c?.fail('probes', deploymentFile, `${deploymentFile} has no container port named http`);
    return undefined;
  }
  if (/^\{\{-?\s*\.Values\.containerPort\s*-?\}\}$/.test(portExpr)) {
    const port = Number(values.containerPort);
    if (port !== a.port)
      c?.fail('probes', valuesFile, `containerPort is ${String(values.containerPort)}, but the service listens on ${a.port}`);
    return port;
  }
  if (/^\d+$/.test(portExpr)) {
    if (Number(portExpr) !== a.port)
      c?.fail('probes', deploymentFile, `the http container port is ${portExpr}, but the service listens on ${a.port}`);
    return Number(portExpr);
  }
  c?.fail('probes', deploymentFile, `the http container port is ${portExpr}; expected .Values.containerPort or ${a.port}`);
  return undefined;
}

export function checkChartProbes(c: Checker, a: Answers): void {
  inEveryEnvironment(c, a, (c, chart, values, valuesFile) => {
    const { deployment, deploymentFile } = chart;
    const http = httpPort(c, a, chart, values, valuesFile);
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
      const portOk = port === 'http' ? http === a.port || http === undefined : Number(port) === a.port;
      if (!portOk) c.fail('probes', file, `${p.key} uses port ${String(port)}; it must use the http port (${a.port})`);
    }
  });
}

/** Pod Security "restricted" needs runAsNonRoot; either level of securityContext will do. */
export function checkChartNonRoot(c: Checker, a: Answers): void {
  inEveryEnvironment(c, a, (c, { deployment }, values, valuesFile) => {
    const nonRoot = (key: 'podSecurityContext' | 'securityContext'): boolean =>
      new RegExp(`\\.Values\\.${key}\\b`).test(deployment) && get(values, key, 'runAsNonRoot') === true;
    const literalNonRoot = /^\s*runAsNonRoot:\s*true\s*$/m.test(deployment);
    if (!nonRoot('podSecurityContext') && !nonRoot('securityContext') && !literalNonRoot) {
      c.fail('non-root', valuesFile, 'neither securityContext nor podSecurityContext sets runAsNonRoot: true');
    }
    for (const key of ['podSecurityContext', 'securityContext']) {
      if (get(values, key, 'runAsUser') === 0) c.fail('non-root', valuesFile, `${key}.runAsUser is 0 (root)`);
    }
  });
}

/** Metrics (and pprof) stay on the admin port: served there, scraped there, never routed from outside. */
export function checkAdminPort(c: Checker, a: Answers): void {
  if (a.metrics) {
    inEveryEnvironment(c, a, (c, chart, values, valuesFile) => {
      if (values.adminPort === undefined || values.adminPort === null) {
        c.fail('admin-port', valuesFile, 'no adminPort: metrics need a port of their own, off the http port');
      } else if (Number(values.adminPort) === (httpPort(undefined, a, chart, values, valuesFile) ?? a.port)) {
        c.fail('admin-port', valuesFile, `adminPort is ${String(values.adminPort)}, the http port too: metrics would be public`);
      }
    });
  }
  const templates = `charts/${a.name}/templates`;
  for (const name of ['ingress.yaml', 'httproute.yaml']) {
    const file = `${templates}/${name}`;
    const text = c.optional(file);
    if (text !== undefined && /\.Values\.adminPort\b|^\s*(?:-\s*)?(?:name|port):\s*"?admin"?\s*$/m.test(text)) {
      c.fail('admin-port', file, `${name} routes the admin port: metrics and pprof must not be reachable from outside the cluster`);
    }
  }
  if (!a.metrics) return;
  const monitorFile = `${templates}/servicemonitor.yaml`;
  const monitor = c.optional(monitorFile);
  const scraped = monitor === undefined ? undefined : scalar(/^\s*-\s*port:\s*(.+)$/m.exec(monitor)?.[1]);
  if (scraped !== undefined && scraped !== 'admin') {
    c.fail('admin-port', monitorFile, `servicemonitor.yaml scrapes port ${scraped}; metrics are on the admin port`);
  }
  // routes.go lists the routes (0.6.0); app.go did before, and a team may register one there.
  for (const appFile of ['internal/app/routes.go', 'internal/app/app.go']) {
    const app = c.optional(appFile);
    if (app !== undefined && /\bs\.mux\.Handle(?:Func)?\("(?:GET )?\/metrics"/.test(app)) {
      c.fail(
        'admin-port',
        appFile,
        `${appFile} serves /metrics on the public port; serve it on the admin port (s.handleAdmin, ADMIN_PORT)`,
      );
    }
  }
}
