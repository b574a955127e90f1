// deploy=gitops: make manifests renders the environments, CI publishes them, and what is
// rendered (dist/manifests/<env>/deployment-*.yaml, when there) keeps the conventions and pins
// the image by digest.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Answers } from '../../model/questions.js';
import { withoutComments, type Checker } from './checker.js';
import { PROBES } from './chart.js';
import { ciFile } from './ci.js';
import { repoMakeTargets } from './makefile.js';

/** Where `make manifests` writes each environment's objects. */
export const MANIFESTS_DIR = 'dist/manifests';

/** The parts of a rendered Deployment the rules read; the YAML may hold anything. */
interface Probe {
  httpGet?: { path?: unknown; port?: unknown };
}
interface Container {
  ports?: { name?: string; containerPort?: unknown }[];
  securityContext?: { runAsNonRoot?: unknown };
  [probe: string]: Probe | unknown;
}
interface Pod {
  containers?: Container[];
  securityContext?: { runAsNonRoot?: unknown };
}
interface Rendered {
  env: string;
  file: string;
  pod: Pod;
  container: Container;
}

/** The rendered Deployments that parse and have a container (the rest are gitops violations, once). */
function renderedDeployments(c: Checker, a: Answers): Rendered[] {
  if (a.deploy !== 'gitops') return [];
  return c.once('rendered', () => {
    const out = join(c.root, MANIFESTS_DIR);
    const envs = existsSync(out)
      ? readdirSync(out, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
    const found: Rendered[] = [];
    let files = 0;
    for (const env of envs) {
      for (const f of readdirSync(join(out, env))
        .filter((n) => /^deployment-.*\.ya?ml$/.test(n))
        .sort()) {
        files++;
        const file = `${MANIFESTS_DIR}/${env}/${f}`;
        let obj: { spec?: { template?: { spec?: Pod } } } | undefined;
        try {
          obj = parseYaml(c.optional(file)!);
        } catch (err) {
          c.fail('gitops', file, `${env}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
        const pod = obj?.spec?.template?.spec;
        const container = pod?.containers?.[0];
        if (!container) c.fail('probes', file, `${env}: the Deployment has no container`);
        else found.push({ env, file, pod, container });
      }
    }
    if (files === 0)
      c.notes.push(`no rendered manifests in ${MANIFESTS_DIR}: make manifests ENV=<env> DIGEST=sha256:... lets check read them too`);
    return found;
  });
}

export function checkRenderedProbes(c: Checker, a: Answers): void {
  for (const { env, file, container } of renderedDeployments(c, a)) {
    const http = (container.ports ?? []).find((p) => p.name === 'http')?.containerPort;
    if (http !== a.port) c.fail('probes', file, `${env}: the http container port is ${String(http)}, but the service listens on ${a.port}`);
    for (const p of PROBES) {
      const probe = container[p.key] as Probe | undefined;
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
      if (!p.paths.includes(String(path)))
        c.fail('probes', file, `${env}: ${p.key} gets ${String(path)}; it must get ${p.paths.join(' or ')}`);
      if (!(port === 'http' ? http === a.port : Number(port) === a.port))
        c.fail('probes', file, `${env}: ${p.key} uses port ${String(port)}; it must use the http port (${a.port})`);
    }
  }
}

export function checkRenderedNonRoot(c: Checker, a: Answers): void {
  for (const { env, file, pod, container } of renderedDeployments(c, a)) {
    if (pod.securityContext?.runAsNonRoot !== true && container.securityContext?.runAsNonRoot !== true) {
      c.fail('non-root', file, `${env}: neither the pod nor the container sets runAsNonRoot: true`);
    }
  }
}

export function checkGitops(c: Checker, a: Answers): void {
  const makefile = repoMakeTargets(c);
  if (makefile && !makefile.has('manifests')) {
    c.fail(
      'gitops',
      'Makefile',
      'the Makefile has no manifests target: make manifests ENV=<env> DIGEST=sha256:... renders what the environment repository holds',
    );
  }
  c.read('gitops', 'scripts/render-manifests.go');
  c.read('gitops', 'scripts/publish-manifests.sh');
  const ci = ciFile(a);
  const code = ci === undefined ? undefined : c.optional(ci);
  if (ci && code !== undefined && !/scripts\/publish-manifests\.sh\b/.test(withoutComments(code))) {
    c.fail('gitops', ci, `${ci} does not run scripts/publish-manifests.sh: nothing publishes the rendered environments`);
  }
  for (const { env, file, container } of renderedDeployments(c, a)) {
    const image = String(container.image ?? '');
    if (!/@sha256:[0-9a-f]{64}$/.test(image)) {
      c.fail(
        'gitops',
        file,
        `${env}: the image ${image} is not referenced by digest (repository@sha256:...): render with make manifests DIGEST=sha256:...`,
      );
    }
  }
}
