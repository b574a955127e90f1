// deploy=gitops: `make manifests ENV=<env> DIGEST=sha256:...` renders the chart with values.yaml and
// values-<env>.yaml into dist/manifests/<env>/, one plain YAML file per object, the image by digest.
// Every environment and option combination passes the chart's own validators (kubectl-validate with
// Kubernetes 1.37 and 1.30, Pod Security "restricted", kube-score with the chart README's ignores),
// and two runs give the same bytes. Only Go and helm are on PATH for make.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { answersFor, generate } from '../support/generate.js';
import {
  ensureTools,
  helmTemplate,
  kubeScore,
  kubectlValidate,
  podSecurityRestricted,
  toolPath,
  toolsDir,
  type K8sVersion,
} from '../support/tools.js';
import { filesFor, outputPath } from '../../generators/model/files.js';
import { checkRepo } from '../../generators/engines/check.js';
import { scaffold } from '../../generators/render/scaffold.js';
import type { Answers } from '../../generators/model/questions.js';
import { goEnv } from '../support/go.js';

/** The same ignores as chart.test.ts; each is justified in the chart README. */
const IGNORED = ['container-image-pull-policy', 'pod-networkpolicy', 'deployment-has-host-podantiaffinity'];
/** Argo CD renders keep replicas beside the HPA on purpose (the chart README's kube-score table). */
const IGNORED_ARGOCD = [...IGNORED, 'deployment-targeted-by-hpa-does-not-have-replicas-configured'];
const K8S_VERSIONS: K8sVersion[] = ['1.37', '1.30'];
const ENVS = ['dev', 'staging', 'prod'] as const;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const made: string[] = [];
const repos = new Map<string, string>();
function repoFor(overrides: Partial<Answers>): string {
  const key = JSON.stringify(overrides);
  let dir = repos.get(key);
  if (!dir) {
    dir = generate({ deploy: 'gitops', ...overrides }, 'cgks-gitops-');
    made.push(dir);
    repos.set(key, dir);
  }
  return dir;
}

/** PATH with only the tools dir (helm), Go and the system's basics: make manifests needs no more. */
function makeEnv(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'cgks-gitops-home-'));
  made.push(home);
  return {
    PATH: [join(toolsDir(), 'bin'), '/usr/local/go/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    ...goEnv({ flags: '-mod=mod', proxy: 'off', sharedCaches: true }),
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    HELM_DATA_HOME: join(home, 'helm-data'),
  };
}

async function make(dir: string, args: string[]) {
  return execa('make', ['--no-print-directory', ...args], { cwd: dir, env: makeEnv(), extendEnv: false, reject: false, all: true });
}

/** Runs make manifests and returns the files it wrote, by name. */
async function manifests(dir: string, env: string, extra: string[] = []): Promise<Map<string, string>> {
  const r = await make(dir, ['manifests', `ENV=${env}`, `DIGEST=${DIGEST}`, ...extra]);
  assert.is(r.exitCode, 0, `make manifests ENV=${env} failed:\n${r.all}`);
  const out = join(dir, 'dist', 'manifests', env);
  return new Map(
    readdirSync(out)
      .sort()
      .map((f) => [f, readFileSync(join(out, f), 'utf8')]),
  );
}
const joined = (files: Map<string, string>): string => [...files.values()].join('---\n');

interface Case {
  label: string;
  answers: Partial<Answers>;
}
const cases: Case[] = [
  { label: 'defaults', answers: {} },
  { label: 'metrics off, tracing on, GitLab CI, scratch', answers: { metrics: false, tracing: true, ci: 'gitlab', baseImage: 'scratch' } },
  { label: 'no CI, alpine', answers: { ci: 'none', baseImage: 'alpine' } },
];

test.before(async () => {
  await ensureTools(['helm', 'kubectl-validate', 'schemas', 'crds', 'kube-score', 'psacheck']);
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test('the option: deploy is helm by default; gitops adds scripts/render-manifests.go and the manifests target', () => {
  assert.is(answersFor().deploy, 'helm');
  const paths = (a: Answers) => filesFor(a).map((f) => outputPath(f, a));
  assert.not.ok(paths(answersFor()).includes('scripts/render-manifests.go'));
  assert.ok(paths(answersFor({ deploy: 'gitops' })).includes('scripts/render-manifests.go'));
  const helmRepo = generate({}, 'cgks-gitops-helm-');
  made.push(helmRepo);
  assert.not.match(readFileSync(join(helmRepo, 'Makefile'), 'utf8'), /^manifests:/m);
  assert.match(readFileSync(join(repoFor({}), 'Makefile'), 'utf8'), /^manifests:/m);
});

for (const c of cases) {
  for (const env of ENVS) {
    let first: Promise<Map<string, string>> | undefined;
    const get = () => (first ??= manifests(repoFor(c.answers), env));
    const label = `${c.label}, ${env}`;

    test(`${label}: one file per object, <kind>-<name>.yaml, the image by digest alone`, async () => {
      const files = await get();
      assert.ok(files.has('deployment-demo-svc.yaml'), [...files.keys()].join(' '));
      for (const [name, text] of files) {
        const obj = parseYaml(text) as { kind: string; metadata: { name: string } };
        assert.is(name, `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`);
        assert.not.match(text, /^# Source:/m);
        assert.not.match(text, /^---$/m, `${name} holds more than one document`);
      }
      assert.not.ok(
        [...files.keys()].some((f) => f.startsWith('pod-')),
        'the helm test pod was rendered',
      );
      const dep = parseYaml(files.get('deployment-demo-svc.yaml')!);
      assert.is(dep.spec.template.spec.containers[0].image, `${answersFor(c.answers).image}@${DIGEST}`);
    });

    for (const v of K8S_VERSIONS) {
      test(`${label}: kubectl-validate accepts the rendered manifests (Kubernetes ${v})`, async () => {
        const r = await kubectlValidate(joined(await get()), v);
        assert.ok(r.ok, r.output.slice(0, 4000));
      });
    }

    test(`${label}: Pod Security "restricted" and kube-score (chart README's ignores) pass`, async () => {
      const yaml = joined(await get());
      const psa = await podSecurityRestricted(yaml);
      assert.ok(psa.ok, psa.output);
      const score = await kubeScore(yaml, IGNORED_ARGOCD);
      assert.ok(score.ok, score.output.slice(0, 4000));
    });

    test(`${label}: a second run gives the same files, byte for byte`, async () => {
      const once = await get();
      const again = await manifests(repoFor(c.answers), env);
      assert.equal([...again.keys()], [...once.keys()]);
      for (const [name, text] of once) assert.is(again.get(name), text, name);
    });
  }
}

test('scripts/render-manifests.go is gofmt-clean and passes go vet and staticcheck (it is outside ./..., build tag ignore)', async () => {
  await ensureTools(['staticcheck']);
  const dir = repoFor({});
  const env = makeEnv();
  const fmt = await execa('gofmt', ['-l', 'scripts/render-manifests.go'], { cwd: dir, env, extendEnv: false, reject: false, all: true });
  assert.is(fmt.exitCode, 0, fmt.all);
  assert.is(fmt.stdout, '');
  const vet = await execa('go', ['vet', 'scripts/render-manifests.go'], { cwd: dir, env, extendEnv: false, reject: false, all: true });
  assert.is(vet.exitCode, 0, vet.all);
  const sc = await execa(toolPath('staticcheck'), ['scripts/render-manifests.go'], {
    cwd: dir,
    env,
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is(sc.exitCode, 0, sc.all);
});

test('render-manifests refuses bad input with one line: no objects, an object without a name', async () => {
  const dir = repoFor({});
  const run = (input: string) =>
    execa('go', ['run', 'scripts/render-manifests.go', join(dir, 'dist', 'bad')], {
      cwd: dir,
      env: makeEnv(),
      extendEnv: false,
      reject: false,
      input,
    });
  const empty = await run('');
  assert.is(empty.exitCode, 1);
  assert.match(empty.stderr, /^error: render-manifests: no objects on stdin/m);
  const nameless = await run('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n');
  assert.is(nameless.exitCode, 1);
  assert.match(nameless.stderr, /^error: render-manifests: an object without kind or metadata\.name/m);
  assert.not.ok(existsSync(join(dir, 'dist', 'bad')), 'a failed run wrote its output directory');
});

test('an object the chart no longer renders disappears from the output directory', async () => {
  const dir = repoFor({});
  await manifests(dir, 'prod');
  const stale = join(dir, 'dist', 'manifests', 'prod', 'configmap-old.yaml');
  writeFileSync(stale, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n');
  await manifests(dir, 'prod');
  assert.not.ok(existsSync(stale));
});

test('make manifests without DIGEST, or with an unknown ENV, stops with one line and exit 2', async () => {
  const dir = repoFor({});
  const noDigest = await make(dir, ['manifests', 'ENV=dev']);
  assert.is(noDigest.exitCode, 2);
  assert.match(noDigest.all, /^error: manifests: DIGEST must be sha256:<64 lower-case hex>/m);
  const noEnv = await make(dir, ['manifests', 'ENV=qa', `DIGEST=${DIGEST}`]);
  assert.is(noEnv.exitCode, 2);
  assert.match(noEnv.all, /^error: ENV=qa .*there is no charts\/demo-svc\/values-qa\.yaml/m);
});

test('DIGEST is checked in one line (exit 2) before helm runs: short, upper-case, another algorithm, a quote', async () => {
  const dir = repoFor({});
  for (const bad of [
    'sha256:abc',
    `sha256:${'A'.repeat(64)}`,
    `sha512:${'a'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'a'.repeat(64)}x`,
    `sha256:${'a'.repeat(64)}' ; touch pwned '`,
  ]) {
    const r = await make(dir, ['manifests', 'ENV=dev', `DIGEST=${bad}`]);
    assert.is(r.exitCode, 2, `${bad}: ${r.all}`);
    const errors = r.stderr.split('\n').filter((l) => !l.startsWith('make: ***'));
    assert.equal(errors, [
      `error: manifests: DIGEST must be sha256:<64 lower-case hex> (the digest of the pushed image), got DIGEST=${bad}`,
    ]);
    assert.not.ok(existsSync(join(dir, 'pwned')));
  }
});

test('rendered for GitOps, the objects name their real manager: managed-by argocd (default) or flux, no helm.sh/chart', async () => {
  const dir = repoFor({});
  const labelsOf = (files: Map<string, string>) =>
    [...files].map(([f, y]) => [f, (parseYaml(y).metadata.labels ?? {}) as Record<string, string>] as const);
  for (const [controller, extra] of [
    ['argocd', []],
    ['flux', ['GITOPS_CONTROLLER=flux']],
  ] as const) {
    const files = await manifests(dir, 'prod', [...extra]);
    assert.ok(files.size >= 5, [...files.keys()].join(' '));
    for (const [f, labels] of labelsOf(files)) {
      assert.is(labels['app.kubernetes.io/managed-by'], controller, `${controller}: ${f}`);
      assert.not.ok('helm.sh/chart' in labels, `${controller}: ${f} has helm.sh/chart`);
    }
    const pod = parseYaml(files.get('deployment-demo-svc.yaml')!).spec.template.metadata.labels;
    assert.is(pod['app.kubernetes.io/managed-by'], controller);
  }
  // helm itself (make helm-template, make deploy) still labels them as Helm's.
  const helm = await make(dir, ['helm-template', 'ENV=prod']);
  assert.is(helm.exitCode, 0, helm.all);
  assert.match(helm.stdout, /app\.kubernetes\.io\/managed-by: Helm/);
  assert.match(helm.stdout, /helm\.sh\/chart: demo-svc-/);
  const bad = await make(dir, ['manifests', 'ENV=dev', `DIGEST=${DIGEST}`, 'GITOPS_CONTROLLER=Helm"x']);
  assert.is(bad.exitCode, 2);
  assert.equal(
    bad.stderr.split('\n').filter((l) => !l.startsWith('make: ***')),
    ['error: manifests: GITOPS_CONTROLLER must be argocd or flux, got GITOPS_CONTROLLER=Helm"x'],
  );
});

test("autoscaling under GitOps: the Argo CD render keeps replicas (the HPA minimum), so a switch never defaults it to 1; Flux's leaves them to the HPA", async () => {
  const dir = repoFor({});
  const deployment = async (env: string, extra: string[]) => parseYaml((await manifests(dir, env, extra)).get('deployment-demo-svc.yaml')!);
  const hpa = parseYaml((await manifests(dir, 'prod')).get('horizontalpodautoscaler-demo-svc.yaml')!);
  // dev: a fixed count; prod: the HPA. Switching from one to the other keeps the field under Argo CD.
  assert.is((await deployment('dev', [])).spec.replicas, 2);
  assert.is((await deployment('prod', [])).spec.replicas, hpa.spec.minReplicas);
  assert.is(hpa.spec.minReplicas, 3);
  const flux = await manifests(dir, 'prod', ['GITOPS_CONTROLLER=flux']);
  assert.not.ok('replicas' in parseYaml(flux.get('deployment-demo-svc.yaml')!).spec);
  // Only the Argo CD render needs the kube-score ignore: the Flux one passes with the chart's own.
  const score = await kubeScore(joined(flux), IGNORED);
  assert.ok(score.ok, score.output.slice(0, 4000));
  const argocd = await kubeScore(joined(await manifests(dir, 'prod')), IGNORED);
  assert.not.ok(argocd.ok, 'the Argo CD render keeps replicas beside the HPA, which kube-score reports');
  assert.is((await deployment('dev', ['GITOPS_CONTROLLER=flux'])).spec.replicas, 2);
});

test('the chart: a digest without a tag gives repository@digest; a tag with it repository:tag@digest', async () => {
  const chart = join(repoFor({}), 'charts', 'demo-svc');
  const image = async (set: Record<string, string>) => {
    const r = await helmTemplate(chart, [], { set });
    assert.ok(r.ok, r.output);
    return /image: "([^"]+)"/.exec(r.output)![1];
  };
  assert.is(await image({ 'image.digest': DIGEST }), `ghcr.io/example/demo-svc@${DIGEST}`);
  assert.is(await image({ 'image.digest': DIGEST, 'image.tag': '1.2.3' }), `ghcr.io/example/demo-svc:1.2.3@${DIGEST}`);
  assert.is(await image({}), 'ghcr.io/example/demo-svc:0.1.0');
});

// ---- check knows the mode ----------------------------------------------------------------------

/** A scaffolded repo (with its record) for check. */
function checkedRepo(overrides: Partial<Answers>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-gitops-check-')), 'demo-svc');
  made.push(dir);
  scaffold(dir, answersFor(overrides));
  return dir;
}
const gitopsViolations = (dir: string) => checkRepo(dir).violations.filter((v) => v.rule === 'gitops' || v.file.startsWith('dist/'));
const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const text = readFileSync(join(dir, file), 'utf8');
  const next = text.replace(from, to);
  assert.is.not(next, text, `${file}: nothing replaced`);
  writeFileSync(join(dir, file), next);
};

test('check: a fresh gitops repo holds every convention; a helm repo skips the gitops rule', () => {
  const gitops = checkRepo(checkedRepo({ deploy: 'gitops' }));
  assert.equal(gitops.violations, []);
  assert.ok(
    gitops.notes.some((n) => /make manifests ENV=<env> DIGEST=/.test(n)),
    gitops.notes.join('\n'),
  );
  const helm = checkRepo(checkedRepo({}));
  assert.equal(helm.violations, []);
  assert.ok(helm.skipped.some((s) => s.rule === 'gitops' && /deploy is helm/.test(s.reason)));
});

test('check in gitops repos: the manifests target, the renderer and the CI publish step are required', () => {
  const dir = checkedRepo({ deploy: 'gitops' });
  edit(dir, 'Makefile', /^manifests:/m, 'manifest:');
  rmSync(join(dir, 'scripts', 'render-manifests.go'));
  edit(dir, '.github/workflows/ci.yml', 'bash scripts/publish-manifests.sh dev staging prod', 'echo skipped');
  const messages = gitopsViolations(dir)
    .map((v) => `${v.file}: ${v.message}`)
    .join('\n');
  assert.match(messages, /^Makefile: the Makefile has no manifests target/m);
  assert.match(messages, /^scripts\/render-manifests\.go: scripts\/render-manifests\.go is missing/m);
  assert.match(messages, /^\.github\/workflows\/ci\.yml: .* does not run scripts\/publish-manifests\.sh/m);
});

test('check in gitops repos reads the rendered Deployments: probes, non-root and the image by digest', async () => {
  const dir = checkedRepo({ deploy: 'gitops' });
  for (const env of ENVS) await manifests(dir, env);
  assert.equal(checkRepo(dir).violations, [], 'freshly rendered manifests hold the conventions');
  const file = 'dist/manifests/prod/deployment-demo-svc.yaml';
  edit(dir, file, 'path: /ready', 'path: /readyz');
  edit(dir, file, /runAsNonRoot: true/g, 'runAsNonRoot: false');
  edit(dir, file, `@${DIGEST}`, ':latest');
  const found = checkRepo(dir).violations.filter((v) => v.file === file);
  const text = found.map((v) => `${v.rule}: ${v.message}`).join('\n');
  assert.match(text, /^probes: prod: readinessProbe gets \/readyz; it must get \/ready$/m);
  assert.match(text, /^non-root: prod: neither the pod nor the container sets runAsNonRoot: true$/m);
  assert.match(text, /^gitops: prod: the image ghcr\.io\/example\/demo-svc:latest is not referenced by digest/m);
  assert.is(found.length, 3, text);
});

test.run();
