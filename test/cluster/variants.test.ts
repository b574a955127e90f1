// The variants beside the default, on the node: tracing (spans reach an OTLP collector stand-in
// on the node's bridge, carrying the pod's resource attributes), metrics off (one listening
// port, no /metrics), `--database postgres` against a PostgreSQL pod (the migrate init
// container, the example API, a hung database that keeps the pods Ready while database routes
// fail fast with Retry-After, and recovery), and GitOps: `make manifests` renders applied
// server-side as Argo CD and Flux would, switching prod from a fixed count to autoscaling
// without the Deployment dropping to one pod, in the namespace the Flux starter creates.
// test-budget: 2400 s (node start, four image builds on the layer cache, four installs)
// test-tools: helm crds postgres
import { execa } from 'execa';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { Answers } from '../../generators/model/questions.js';
import { envNamespace, starterFiles } from '../../generators/render/gitops-starter.js';
import { answersFor, generate } from '../support/generate.js';
import { goEnv } from '../support/go.js';
import { lockStore } from '../support/image.js';
import { otlpCollector } from '../support/otlp-collector.js';
import { toolPath } from '../support/tools.js';
import {
  applyObjects,
  clusterSuite,
  imageSets,
  pods,
  restrictedNamespace,
  serviceTarget,
  sleep,
  until,
  type Cluster,
  type PodInfo,
} from './support/harness.js';
import { archiveDigest, buildServiceImage, ref, REPO, SERVICE, type ImageRef } from './support/images.js';
import { buildPostgresImage, postgresObjects } from './support/postgres-image.js';

const RELEASE = 'demo';
const POD_SELECTOR = `app.kubernetes.io/name=${SERVICE},app.kubernetes.io/instance=${RELEASE}`;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP request from the suite's load namespace (curl), so it goes through kube-proxy. */
async function request(
  c: Cluster,
  url: string,
  o: { method?: string; body?: string; headers?: Record<string, string>; maxSeconds?: number } = {},
): Promise<Reply> {
  const max = o.maxSeconds ?? 10;
  const args = ['curl', '-sS', '-i', '--max-time', String(max), '-X', o.method ?? 'GET', url];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (o.body !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', o.body);
  const r = await c.node.inLoadNetns(args, { timeoutMs: (max + 5) * 1000 });
  if (r.exitCode !== 0) throw new Error(`curl ${o.method ?? 'GET'} ${url}: ${r.stderr.trim()}`);
  const [head = '', ...rest] = r.stdout.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

/** The TCP ports a container's network namespace listens on (/proc/PID/net/tcp{,6}, state 0A). */
function listeningPorts(pid: number): number[] {
  const ports = new Set<number>();
  for (const f of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${f}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') ports.add(Number.parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** REQUEST_TIMEOUT as the chart sets it with values-dev.yaml (the installs' values). */
function requestTimeoutSeconds(chartDir: string): number {
  const read = (f: string) => parseYaml(readFileSync(join(chartDir, f), 'utf8')) as { requestTimeoutSeconds?: number };
  const seconds = read('values-dev.yaml').requestTimeoutSeconds ?? read('values.yaml').requestTimeoutSeconds;
  if (typeof seconds !== 'number') throw new Error(`no requestTimeoutSeconds in ${chartDir}'s values`);
  return seconds;
}

const readyPods = (ps: PodInfo[]) => ps.filter((p) => p.ready && !p.deleting);

/** http://ClusterIP:port of the release's Service. */
const releaseUrl = async (c: Cluster, ns: string) => `http://${await serviceTarget(c, ns, `${RELEASE}-${SERVICE}`)}`;

await clusterSuite('variants', 'Variants on the node', (c, t) => {
  const builds: (string | number)[][] = [];

  /** Generates the service for ANSWERS into the file's work dir (removed with the node): its path. */
  const generateRepo = (label: string, answers: Partial<Answers>): string => {
    const tmp = generate({ name: SERVICE, ...answers }, `cgks-cluster-${label}-`);
    const dir = join(c.work, `${label}-repo`);
    cpSync(tmp, dir, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    return dir;
  };

  /** Generates the service for ANSWERS, builds its image as <tag>-LABEL and imports it into the node. */
  const variant = async (label: string, answers: Partial<Answers>): Promise<{ dir: string; image: ImageRef }> => {
    const dir = generateRepo(label, answers);
    const release = await lockStore();
    let image: ImageRef;
    try {
      image = await buildServiceImage(label, dir, ref(`${REPO}/${SERVICE}`, `1.0.0-${label}`), join(c.work, 'images'), c.log);
    } finally {
      release();
    }
    await c.node.importImage(image.archive, image.ref);
    builds.push([label, JSON.stringify(answers), image.buildSeconds.toFixed(0), image.archiveBytes]);
    return { dir, image };
  };

  /** helm install --wait of the variant's own chart with values-dev.yaml (2 pods); returns the Ready pods. */
  const install = async (v: { dir: string; image: ImageRef }, ns: string, sets: string[] = []): Promise<PodInfo[]> => {
    await restrictedNamespace(c, ns);
    const chart = join(v.dir, 'charts', SERVICE);
    const r = await c.helm(
      [
        'install',
        RELEASE,
        chart,
        '-n',
        ns,
        '-f',
        join(chart, 'values-dev.yaml'),
        ...imageSets({ app: v.image, debug: v.image, tests: c.images.tests }),
        ...sets,
        '--wait',
        '--timeout',
        '5m',
      ],
      { timeoutMs: 6 * 60_000 },
    );
    if (r.exitCode !== 0) throw new Error(`helm install in ${ns} exited with ${r.exitCode}: ${r.stderr}`);
    return readyPods(
      await until(
        `2 Ready pods in ${ns}`,
        () => pods(c, ns, POD_SELECTOR),
        (ps) => readyPods(ps).length >= 2,
        180_000,
        1000,
      ),
    );
  };

  const helmTest = async (ns: string, problems: string[]) => {
    const r = await c.helm(['test', RELEASE, '-n', ns, '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
    if (r.exitCode !== 0) problems.push(`helm test in ${ns} exited with ${r.exitCode}: ${r.stdout}\n${r.stderr}`);
  };

  t('tracing: spans of real requests reach an OTLP collector on the bridge, with the pod and namespace as resource attributes', () =>
    c.report.judge(
      'tracing variant: installed, requests traced, spans exported over OTLP/HTTP with the chart-set resource attributes',
      'every request exported once, attributes present',
      async (problems) => {
        const collector = await otlpCollector(c.node.gatewayIP);
        try {
          const ns = 'cgks-tracing';
          const v = await variant('tracing', { tracing: true });
          // Ratio 1: every request is sampled, so each of the N requests must come back as a trace.
          const ready = await install(v, ns, ['--set', `tracing.endpoint=${collector.url}`, '--set-string', 'tracing.samplerArg=1']);
          const url = await releaseUrl(c, ns);
          // Each request carries a trace id of the test's own; ratio 1 samples every one (the
          // remote flag says "not sampled", so it is the service's sampler that decides).
          const N = 20;
          const ids = Array.from({ length: N }, (_, i) => `c1a5${String(i).padStart(4, '0')}${'0'.repeat(24)}`);
          for (const id of ids) {
            const r = await request(c, `${url}/api/v1/hello`, { headers: { traceparent: `00-${id}-00f067aa0ba902b7-00` } });
            if (r.status !== 200) problems.push(`GET /api/v1/hello: ${r.status}`);
          }
          // The batch exporter sends every 5 s.
          const got = await until(
            `the ${N} requests' traces exported`,
            async () => collector.received(),
            (x) => ids.every((id) => x.traceIds.includes(id)),
            60_000,
            1000,
          ).catch((e: Error) => {
            problems.push(e.message);
            return collector.received();
          });
          const spans = ids.map((id) => got.traceIds.filter((x) => x === id).length);
          if (spans.some((n) => n !== 1)) problems.push(`spans per request: ${spans.join(', ')} (want one server span each)`);
          const all = Buffer.concat(got.payloads);
          for (const want of [SERVICE, ns, c.node.nodeName, `${RELEASE}-${SERVICE}`]) {
            if (!all.includes(want)) problems.push(`no "${want}" in the exported resource attributes`);
          }
          const served = ready.filter((p) => all.includes(p.name)).length;
          if (served === 0) problems.push('no pod name in the exported resource attributes');
          // The control for metrics off below: a service with metrics on listens on two ports.
          const pid = await c.node.containerPid(ready[0]!.containerID);
          const listening = listeningPorts(pid);
          if (listening.length !== 2) problems.push(`metrics on: listening on ${listening.join(', ')} (want the HTTP and the admin port)`);
          await helmTest(ns, problems);
          return `${N} of ${N} requests exported (${got.payloads.length} exports, ${got.bytes} B, ${served} of ${ready.length} pods named); listening on ${listening.join(', ')}`;
        } finally {
          collector.close();
        }
      },
    ),
  );

  t('metrics off: one listening port, no admin port in the pod, /metrics not served, the API answers', () =>
    c.report.judge(
      'metrics-off variant: installed, Ready, only the HTTP port listens, /metrics 404, helm test',
      'all pass',
      async (problems) => {
        const ns = 'cgks-metrics-off';
        const v = await variant('metrics-off', { metrics: false });
        const ready = await install(v, ns);
        const ports = ready[0]!.raw.spec.containers[0].ports.map(
          (p: { name: string; containerPort: number }) => `${p.name}:${p.containerPort}`,
        );
        if (ports.length !== 1) problems.push(`container ports ${ports.join(', ')}`);
        const listening = listeningPorts(await c.node.containerPid(ready[0]!.containerID));
        if (listening.length !== 1) problems.push(`listening on ${listening.join(', ')}`);
        const url = await releaseUrl(c, ns);
        const hello = await request(c, `${url}/api/v1/hello`);
        if (hello.status !== 200) problems.push(`GET /api/v1/hello: ${hello.status}`);
        const metrics = await request(c, `${url}/metrics`);
        if (metrics.status !== 404) problems.push(`GET /metrics on the service port: ${metrics.status}`);
        await helmTest(ns, problems);
        return `ports ${ports.join(', ')}; listening on ${listening.join(', ')}; /metrics ${metrics.status}`;
      },
    ),
  );

  t(
    '--database postgres: migrations in the init container, the notes API, a hung database keeps the pods Ready and fails fast with Retry-After, recovery',
    () =>
      c.report.judge(
        'postgres variant against a PostgreSQL pod: migrate init container, notes written and read, hung database: pods stay Ready and /api/v1/notes answers 503 with Retry-After, recovery with the data intact',
        'all pass',
        async (problems) => {
          const ns = 'cgks-postgres';
          await restrictedNamespace(c, ns);
          const pg = await buildPostgresImage(join(c.work, 'postgres'), ref(`${REPO}/postgres`, 'stand-in'));
          await c.node.importImage(pg.archive, pg.ref);
          builds.push(['postgres (host binaries)', '', pg.buildSeconds.toFixed(0), pg.archiveBytes]);
          await applyObjects(c, postgresObjects(ns, 'pg', pg.ref));
          const [db] = await until(
            'a Ready PostgreSQL pod',
            () => pods(c, ns, 'app.kubernetes.io/name=pg'),
            (ps) => readyPods(ps).length === 1,
            120_000,
            1000,
          );
          await applyObjects(c, [
            {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: `${SERVICE}-database`, namespace: ns },
              stringData: { url: `postgres://postgres@pg.${ns}.svc.cluster.local:5432/postgres?sslmode=disable` },
            },
          ]);
          const v = await variant('postgres', { database: 'postgres' });
          const REQUEST_TIMEOUT_SECONDS = requestTimeoutSeconds(join(v.dir, 'charts', SERVICE));
          const ready = await install(v, ns);
          for (const p of ready) {
            const init = p.raw.status.initContainerStatuses?.find((s: { name: string }) => s.name === 'migrate')?.state?.terminated;
            if (init?.exitCode !== 0) problems.push(`${p.name}: migrate init container ${JSON.stringify(init)}`);
          }
          const url = await releaseUrl(c, ns);
          const added = await request(c, `${url}/api/v1/notes`, { method: 'POST', body: JSON.stringify({ body: 'written on the node' }) });
          if (added.status !== 201) throw new Error(`POST /api/v1/notes: ${added.status} ${added.body}`);
          const id = (JSON.parse(added.body) as { id: number | string }).id;
          const read = await request(c, `${url}/api/v1/notes/${id}`);
          if (read.status !== 200 || !read.body.includes('written on the node'))
            problems.push(`GET /api/v1/notes/${id}: ${read.status} ${read.body}`);

          // The database hangs: its postmaster and every backend stopped (SIGSTOP), sockets open.
          const postmaster = await c.node.containerPid(db!.containerID);
          const children = (await execa('pgrep', ['-P', String(postmaster)], { reject: false })).stdout.split('\n').filter(Boolean);
          const frozen = [String(postmaster), ...children];
          await execa('kill', ['-STOP', ...frozen]);
          const polled: string[] = [];
          let outageSeconds = 0;
          try {
            const t0 = Date.now();
            await until(
              'a 503 with Retry-After from /api/v1/notes while the database hangs',
              async () => {
                const t = Date.now();
                // Longer than the request deadline, so a request that waits for it is seen to end.
                const r = await request(c, `${url}/api/v1/notes`, { maxSeconds: REQUEST_TIMEOUT_SECONDS + 5 }).catch((e: Error) => {
                  polled.push(`no answer in ${((Date.now() - t) / 1000).toFixed(1)} s`);
                  problems.push(e.message);
                  throw e;
                });
                polled.push(
                  `${r.status}${r.headers['retry-after'] ? ` Retry-After ${r.headers['retry-after']}` : ''} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
                );
                // Before the watcher knows, a request waits for the database until its deadline.
                if (Date.now() - t > REQUEST_TIMEOUT_SECONDS * 1000 + 1000)
                  problems.push(`a request took ${((Date.now() - t) / 1000).toFixed(1)} s (deadline ${REQUEST_TIMEOUT_SECONDS} s)`);
                if (r.status === 200) problems.push('200 from /api/v1/notes while the database hangs');
                return r;
              },
              (r) => r.status === 503 && Boolean(r.headers['retry-after']),
              60_000,
              500,
            );
            outageSeconds = (Date.now() - t0) / 1000;
            const t1 = Date.now();
            const fast = await request(c, `${url}/api/v1/notes`);
            const fastMs = Date.now() - t1;
            if (fast.status !== 503 || fastMs > 2000)
              problems.push(`during the outage: ${fast.status} after ${fastMs} ms (want a fast 503)`);
            const health = await request(c, `${url}/healthz`);
            if (health.status !== 200) problems.push(`/healthz during the outage: ${health.status}`);
            // Several readiness periods: with readiness=startup (the default) no pod leaves the Service.
            await sleep(15_000);
            const during = readyPods(await pods(c, ns, POD_SELECTOR));
            if (during.length !== ready.length) problems.push(`${during.length} of ${ready.length} pods Ready during the outage`);
          } finally {
            await execa('kill', ['-CONT', ...frozen], { reject: false });
          }
          const t2 = Date.now();
          await until(
            'notes written again after the database came back',
            () => request(c, `${url}/api/v1/notes`, { method: 'POST', body: JSON.stringify({ body: 'after the outage' }) }),
            (r) => r.status === 201,
            60_000,
            1000,
          ).catch((e: Error) => problems.push(e.message));
          const recoverySeconds = (Date.now() - t2) / 1000;
          const again = await request(c, `${url}/api/v1/notes/${id}`);
          if (again.status !== 200 || !again.body.includes('written on the node'))
            problems.push(`the first note after recovery: ${again.status}`);
          await helmTest(ns, problems);
          return `during the hang: ${polled.join(', ')} (${outageSeconds.toFixed(1)} s); ${ready.length} pods Ready throughout; writes again ${recoverySeconds.toFixed(1)} s after SIGCONT`;
        },
      ),
  );

  t(
    'GitOps: make manifests renders applied server-side; switching prod to autoscaling never drops it to one pod (Argo CD render; Flux with the starter hand-over)',
    () =>
      c.report.judge(
        'GitOps renders on the API server: the Flux starter namespace enforces "restricted"; prod switched from 2 pods to the HPA: Argo CD render keeps ≥ 2, Flux render after the README hand-over keeps 2, without it drops to 1',
        'as stated',
        async (problems) => {
          const answers = answersFor({ name: SERVICE, deploy: 'gitops' });
          const dir = generateRepo('gitops', { deploy: 'gitops' });
          const ns = envNamespace('prod', SERVICE);
          const starter = starterFiles(answers);
          // The Flux starter's Namespace object, as Flux would create it.
          const fluxProd = starter.find((f) => f.path === `flux/${SERVICE}-prod.yaml`)!.content;
          const namespace = parseAllDocuments(fluxProd)
            .map((d) => d.toJS())
            .find((o) => o?.kind === 'Namespace');
          if (!namespace) throw new Error(`no Namespace in flux/${SERVICE}-prod.yaml`);
          await applyObjects(c, [namespace]);
          const root = await c.kubectl([
            'run',
            'root',
            '-n',
            ns,
            `--image=${c.images.tests.ref}`,
            '--image-pull-policy=Never',
            '--overrides',
            '{"spec":{"securityContext":{"runAsUser":0}}}',
          ]);
          if (root.exitCode === 0 || !/violates PodSecurity "restricted/.test(root.stderr))
            problems.push(`the Flux starter namespace admitted or refused a root pod otherwise: ${root.stderr}`);

          const digest = await archiveDigest(c.images.app.archive);
          // A pod names the image by digest: containerd's CRI finds it only under that name (a
          // registry pull would create it; an import creates the tag alone).
          await c.node.importImage(c.images.app.archive, `${c.images.app.repository}@${digest}`);
          const render = async (name: string, controller: 'argocd' | 'flux', helmArgs: string) => {
            const out = join(c.work, 'manifests', name);
            mkdirSync(out, { recursive: true });
            const r = await execa(
              'make',
              [
                '-C',
                dir,
                'manifests',
                'ENV=prod',
                `DIGEST=${digest}`,
                `IMAGE=${c.images.app.repository}`,
                `GITOPS_CONTROLLER=${controller}`,
                `HELM=${toolPath('helm')}`,
                `MANIFESTS_DIR=${join(c.work, 'manifests', name)}`,
                `HELM_ARGS=--set image.pullPolicy=Never ${helmArgs}`,
              ],
              { env: goEnv(), reject: false, all: true, stdin: 'ignore', timeout: 5 * 60_000 },
            );
            if (r.exitCode !== 0) throw new Error(`make manifests (${name}) exited with ${r.exitCode}:\n${r.all}`);
            return join(out, 'prod');
          };
          const fixed = '--set autoscaling.enabled=false --set replicaCount=2';
          const apply = async (folder: string, manager: string) => {
            const r = await c.kubectl([
              'apply',
              '--server-side',
              '--force-conflicts',
              `--field-manager=${manager}`,
              '-n',
              ns,
              '-f',
              folder,
            ]);
            if (r.exitCode !== 0) throw new Error(`kubectl apply --server-side ${folder}: ${r.stderr}`);
          };
          const replicas = async () =>
            (await c.getJson<{ spec: { replicas: number } }>(['get', 'deployment', '-n', ns, SERVICE])).spec.replicas;
          const twoReady = () =>
            until(
              '2 Ready pods of the fixed count',
              () => pods(c, ns, `app.kubernetes.io/name=${SERVICE}`),
              (ps) => readyPods(ps).length === 2,
              180_000,
              1000,
            );
          const resetToFixed = async (folder: string, manager: string) => {
            await c.kubectl(['delete', 'hpa', '-n', ns, '--all', '--wait']);
            await apply(folder, manager);
            await until('the fixed count', replicas, (n) => n === 2, 60_000, 500);
            await twoReady();
          };
          const seen: string[] = [];

          // Argo CD: the render keeps replicas (the HPA's minimum).
          await apply(await render('argocd-fixed', 'argocd', fixed), 'argocd-controller');
          const firstPods = await twoReady();
          const rolled = firstPods[0]!.raw.spec.containers[0].image as string;
          if (!rolled.endsWith(`@${digest}`)) problems.push(`the pods run ${rolled}, not the rendered digest`);
          await apply(await render('argocd-hpa', 'argocd', ''), 'argocd-controller');
          const argo = await replicas();
          seen.push(`Argo CD render: ${argo} right after the apply`);
          if (argo < 2) problems.push(`Argo CD render: replicas ${argo} right after the switch`);

          // Flux without the hand-over: the negative control, what 0.4.0's users saw.
          const fluxFixed = await render('flux-fixed', 'flux', fixed);
          const fluxHpa = await render('flux-hpa', 'flux', '');
          await resetToFixed(fluxFixed, 'kustomize-controller');
          await apply(fluxHpa, 'kustomize-controller');
          const bare = await replicas();
          seen.push(`Flux render without the hand-over: ${bare}`);
          if (bare !== 1) problems.push(`control: without the hand-over replicas went to ${bare}, not 1 (the test cannot see the failure)`);

          // Flux with the starter README's hand-over, run as written.
          await resetToFixed(fluxFixed, 'kustomize-controller');
          const readme = starter.find((f) => f.path === 'README.md')!.content;
          const line = readme.split('\n').find((l) => l.includes('--field-manager=hpa-handover'));
          const cmd = /`(kubectl [^`]+)`/.exec(line ?? '')?.[1];
          if (!cmd) throw new Error('no hand-over command in the starter README');
          const script = cmd.replace('<namespace>', ns).replace('<service>', SERVICE).replace('"replicas":N', '"replicas":2');
          const handover = await execa('bash', ['-c', script], {
            env: { ...c.node.env, KUBECONFIG: c.node.kubeconfig, PATH: `${c.node.binDir}:${process.env.PATH}` },
            reject: false,
            all: true,
            timeout: 60_000,
          });
          if (handover.exitCode !== 0) problems.push(`the hand-over (${script}): ${handover.all}`);
          await apply(fluxHpa, 'kustomize-controller');
          const handed = await replicas();
          seen.push(`Flux render after the hand-over: ${handed}`);
          if (handed !== 2) problems.push(`Flux after the README's hand-over: replicas ${handed} right after the switch (want 2)`);
          // The HPA then takes the count to its minimum (3) on its own.
          await until('the HPA raising the Deployment to its minimum', replicas, (n) => n === 3, 120_000, 1000).catch((e: Error) =>
            problems.push(e.message),
          );
          return seen.join('; ');
        },
      ),
  );

  t.after(() => {
    c.report.table('Variant images', ['variant', 'answers', 'build (s)', 'OCI archive (bytes)'], builds);
  });
});
