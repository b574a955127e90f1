// create --deploy gitops --gitops-repo-starter DIR: the environment repository starter. One folder
// per environment, an Argo CD Application and a Flux Kustomization per environment (with one
// GitRepository), each accepted by kubectl-validate against Argo CD's and Flux's own CRDs; the
// README documents the layout and promotion. Bad use stops before anything is written.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { ensureTools, kubectlValidateGitops } from '../support/tools.js';
import { commitAll, newRepo, read, readRecord, reference, writeRecord } from '../support/regen/repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-starter-'));
let n = 0;
const tmp = () => {
  const d = join(scratch, `t${++n}`);
  mkdirSync(d);
  return d;
};
const ENVS = ['dev', 'staging', 'prod'];
const base = ['orders', '--yes', '--no-git', '--no-install', '--module', 'github.com/acme/orders'];

test.before(async () => {
  await ensureTools(['kubectl-validate', 'schemas', 'gitops-crds']);
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

let starter: Promise<string> | undefined;
const made = () =>
  (starter ??= (async () => {
    const dir = tmp();
    const r = await runCli([...base, '--deploy', 'gitops', '--gitops-repo-starter', 'environments'], { cwd: dir });
    assert.is(r.exitCode, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /environment repository starter \(\d+ files\) into environments/);
    return join(dir, 'environments');
  })());

test('the starter: a folder per environment, an Application and a Kustomization per environment, one GitRepository', async () => {
  const dir = await made();
  assert.equal(readdirSync(dir).sort(), ['README.md', 'argocd', 'dev', 'flux', 'prod', 'staging']);
  for (const env of ENVS) {
    assert.ok(existsSync(join(dir, env, 'orders')), `${env}/orders`);
    const app = parseYaml(readFileSync(join(dir, 'argocd', `orders-${env}.yaml`), 'utf8'));
    assert.is(app.kind, 'Application');
    assert.is(app.spec.source.path, `${env}/orders`);
    assert.is(app.spec.source.repoURL, 'https://github.com/acme/environments.git');
    assert.is(app.spec.destination.namespace, env === 'prod' ? 'orders' : `orders-${env}`);
    const ks = fluxObjects(dir, env).find((o) => o.kind === 'Kustomization')!;
    assert.is(ks.kind, 'Kustomization');
    assert.is(ks.spec.path, `./${env}/orders`);
    assert.is(ks.spec.sourceRef.name, 'environments');
  }
  const git = parseYaml(readFileSync(join(dir, 'flux', 'gitrepository.yaml'), 'utf8'));
  assert.is(git.kind, 'GitRepository');
  assert.is(git.metadata.name, 'environments');
});

/** The objects of flux/orders-<env>.yaml: the namespace and the Kustomization. */
function fluxObjects(
  dir: string,
  env: string,
): { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, any> }[] {
  return parseAllDocuments(readFileSync(join(dir, 'flux', `orders-${env}.yaml`), 'utf8')).map((d) => d.toJS());
}

const RESTRICTED = Object.fromEntries(
  ['enforce', 'audit', 'warn'].flatMap((m) => [
    [`pod-security.kubernetes.io/${m}`, 'restricted'],
    [`pod-security.kubernetes.io/${m}-version`, 'latest'],
  ]),
);

test('the namespaces are created "restricted": Argo CD through managedNamespaceMetadata, Flux as a Namespace object', async () => {
  const dir = await made();
  for (const env of ENVS) {
    const ns = env === 'prod' ? 'orders' : `orders-${env}`;
    const app = parseYaml(readFileSync(join(dir, 'argocd', `orders-${env}.yaml`), 'utf8'));
    assert.ok(app.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'));
    assert.equal(app.spec.syncPolicy.managedNamespaceMetadata.labels, RESTRICTED, `argocd ${env}`);
    const [namespace, ks] = fluxObjects(dir, env);
    assert.is(namespace!.kind, 'Namespace', 'the Namespace comes first, before the Kustomization that targets it');
    assert.is(namespace!.metadata.name, ns);
    assert.is(ks!.spec.targetNamespace, ns);
    assert.equal(namespace!.metadata.labels, RESTRICTED, `flux ${env}`);
  }
});

test('Argo CD leaves the replica count to the HPA once it has set it (ignoreDifferences by field manager, respected on sync)', async () => {
  const dir = await made();
  const app = parseYaml(readFileSync(join(dir, 'argocd', 'orders-prod.yaml'), 'utf8'));
  assert.equal(app.spec.ignoreDifferences, [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] }]);
  assert.ok(app.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
});

test("every Argo CD and Flux file validates against the projects' own CRDs", async () => {
  const dir = await made();
  for (const sub of ['argocd', 'flux']) {
    for (const f of readdirSync(join(dir, sub))) {
      const r = await kubectlValidateGitops(readFileSync(join(dir, sub, f), 'utf8'));
      assert.ok(r.ok, `${sub}/${f}: ${r.output}`);
    }
  }
});

test('the CRD validation can fail: a misspelt field and a wrong type are rejected (negative control)', async () => {
  const dir = await made();
  const app = readFileSync(join(dir, 'argocd', 'orders-dev.yaml'), 'utf8');
  const misspelt = await kubectlValidateGitops(app.replace('targetRevision:', 'targetRevison:'));
  assert.not.ok(misspelt.ok, 'an unknown Application field passed');
  const ks = readFileSync(join(dir, 'flux', 'orders-dev.yaml'), 'utf8');
  const badLabel = await kubectlValidateGitops(
    ks.replace('pod-security.kubernetes.io/enforce: restricted', 'pod-security.kubernetes.io/enforce: [restricted]'),
  );
  assert.not.ok(badLabel.ok, 'a Namespace with a list as a label value passed');
  const wrongType = await kubectlValidateGitops(ks.replace('prune: true', 'prune: [yes]'));
  assert.not.ok(wrongType.ok, 'a Kustomization with prune as a list passed');
});

test('the README documents the layout, promotion by pull request and least-privilege credentials', async () => {
  const text = readFileSync(join(await made(), 'README.md'), 'utf8');
  for (const heading of ['## Layout', '## Promotion', '## Credentials (least privilege)']) assert.ok(text.includes(heading), heading);
  for (const env of ENVS) assert.ok(text.includes(`\`${env}/orders/\``), env);
  assert.match(text, /pull request/);
  assert.match(text, /digest/);
});

test('--gitops-repo-starter without --deploy gitops is a usage error; nothing is written', async () => {
  const dir = tmp();
  const r = await runCli([...base, '--gitops-repo-starter', 'environments'], { cwd: dir });
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim(), 'error: --gitops-repo-starter needs --deploy gitops');
  assert.equal(readdirSync(dir), []);
});

test('a non-empty starter directory is refused before the service is written', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'environments'));
  writeFileSync(join(dir, 'environments', 'keep.txt'), 'mine');
  const r = await runCli([...base, '--deploy', 'gitops', '--gitops-repo-starter', 'environments'], { cwd: dir });
  assert.is(r.exitCode, 1);
  assert.match(r.stderr, /environments is not empty \(keep\.txt\)/);
  assert.equal(readdirSync(dir), ['environments']);
  assert.is(readFileSync(join(dir, 'environments', 'keep.txt'), 'utf8'), 'mine');
});

// ---- the option is recorded, regenerable and part of update -----------------------------------

test('deploy is recorded; regen --deploy gitops adds the GitOps files, regen --deploy helm takes them away again', async () => {
  const dir = await newRepo({ git: true });
  assert.is(readRecord(dir).answers.deploy, 'helm');
  const on = await runCli(['regen', '--deploy', 'gitops'], { cwd: dir });
  assert.is(on.exitCode, 0, on.stderr);
  assert.is(readRecord(dir).answers.deploy, 'gitops');
  const expected = await reference(dir);
  for (const path of ['scripts/render-manifests.go', 'scripts/publish-manifests.sh', 'Makefile', '.github/workflows/ci.yml']) {
    assert.is(read(dir, path), expected.get(path), path);
  }
  assert.match(read(dir, 'Makefile'), /^manifests:/m);
  commitAll(dir, 'gitops');
  const off = await runCli(['regen', '--deploy', 'helm'], { cwd: dir });
  assert.is(off.exitCode, 0, off.stderr);
  assert.not.ok(existsSync(join(dir, 'scripts', 'publish-manifests.sh')));
  assert.not.match(read(dir, 'Makefile'), /^manifests:/m);
});

test('a record written before the option existed (no deploy answer) reads as helm: update changes nothing', async () => {
  const dir = await newRepo({ git: true });
  const record = readRecord(dir);
  delete (record.answers as unknown as Record<string, unknown>).deploy;
  writeRecord(dir, record);
  commitAll(dir, 'an older record');
  const r = await runCli(['update', '--json'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { files: { path: string; action: string }[] };
  assert.equal(
    report.files.filter((f) => f.action !== 'unchanged' && f.path !== '.go-k8s-service.json'),
    [],
  );
  assert.not.ok(existsSync(join(dir, 'scripts', 'publish-manifests.sh')));
});

test.run();
