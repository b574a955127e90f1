// The environment repository starter (create --gitops-repo-starter DIR, deploy=gitops): one
// folder per environment that the service's CI publishes rendered manifests into, and for each
// environment an Argo CD Application and a Flux Kustomization (with one GitRepository) that
// point at it, so a team running either controller adopts it with one kubectl apply.
import type { Answers } from '../model/questions.js';
import type { FileToWrite } from '../plumbing/write.js';
import { yamlString } from './escape.js';

export const GITOPS_ENVS = ['dev', 'staging', 'prod'] as const;

/** The environment repository's URL: <host>/<owner>/environments for github.com and gitlab.com modules, else a placeholder. */
export function environmentRepoUrl(module: string): string {
  const [host, owner] = module.split('/');
  if ((host === 'github.com' || host === 'gitlab.com') && owner) return `https://${host}/${owner}/environments.git`;
  return 'https://git.example.com/platform/environments.git';
}

/** Where an environment's manifests of this service live in the environment repository. */
export const envPath = (env: string, name: string): string => `${env}/${name}`;
/** The namespace of an environment, as `make deploy` names it: <name>-<env>, prod <name>. */
export const envNamespace = (env: string, name: string): string => (env === 'prod' ? name : `${name}-${env}`);

export function starterFiles(a: Answers): FileToWrite[] {
  const url = environmentRepoUrl(a.module);
  const files: FileToWrite[] = [{ path: 'README.md', content: readme(a, url) }];
  for (const env of GITOPS_ENVS) {
    files.push({ path: `${envPath(env, a.name)}/.gitkeep`, content: '' });
    files.push({ path: `argocd/${a.name}-${env}.yaml`, content: argoApplication(a, env, url) });
    files.push({ path: `flux/${a.name}-${env}.yaml`, content: fluxKustomization(a, env) });
  }
  files.push({ path: 'flux/gitrepository.yaml', content: fluxGitRepository(url) });
  return files;
}

function argoApplication(a: Answers, env: string, url: string): string {
  return `# Argo CD: syncs ${envPath(env, a.name)}/ of this repository into namespace ${envNamespace(env, a.name)}.
# kubectl apply -n argocd -f argocd/${a.name}-${env}.yaml (in the cluster of ${env})
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${a.name}-${env}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${yamlString(url)}
    targetRevision: main
    path: ${envPath(env, a.name)}
    directory:
      recurse: false
  destination:
    server: https://kubernetes.default.svc
    namespace: ${envNamespace(env, a.name)}
  # Once the HorizontalPodAutoscaler has set replicas (as kube-controller-manager), they are its:
  # sync keeps the live count (RespectIgnoreDifferences) instead of the rendered minimum.
  ignoreDifferences:
    - group: apps
      kind: Deployment
      managedFieldsManagers:
        - kube-controller-manager
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    # The namespace is created enforcing Pod Security "restricted", as the chart's pods expect.
    managedNamespaceMetadata:
      labels:
${indent(podSecurityLabels(), 8)}
    syncOptions:
      - CreateNamespace=true
      - ServerSideApply=true
      - RespectIgnoreDifferences=true
`;
}

/** Pod Security admission labels: enforce, audit and warn "restricted" at the latest policy. */
function podSecurityLabels(): string {
  return ['enforce', 'audit', 'warn']
    .flatMap((mode) => [`pod-security.kubernetes.io/${mode}: restricted`, `pod-security.kubernetes.io/${mode}-version: latest`])
    .join('\n');
}

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

function namespace(a: Answers, env: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${envNamespace(env, a.name)}
  labels:
${indent(podSecurityLabels(), 4)}
`;
}

function fluxGitRepository(url: string): string {
  return `# Flux: this repository as a source, polled every minute. A private repository needs a
# secretRef to a read-only deploy key (flux create secret git environments --url=...).
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: environments
  namespace: flux-system
spec:
  interval: 1m
  url: ${yamlString(url)}
  ref:
    branch: main
`;
}

function fluxKustomization(a: Answers, env: string): string {
  return `# Flux: applies ${envPath(env, a.name)}/ of the environments GitRepository into namespace
# ${envNamespace(env, a.name)}, which this file creates enforcing Pod Security "restricted".
# kubectl apply -f flux/gitrepository.yaml -f flux/${a.name}-${env}.yaml (in the cluster of ${env})
${namespace(a, env)}---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${a.name}-${env}
  namespace: flux-system
spec:
  interval: 5m
  sourceRef:
    kind: GitRepository
    name: environments
  path: ./${envPath(env, a.name)}
  targetNamespace: ${envNamespace(env, a.name)}
  prune: true
  wait: true
  timeout: 5m
`;
}

function readme(a: Answers, url: string): string {
  const rows = GITOPS_ENVS.map(
    (env) =>
      `| ${env} | \`${envPath(env, a.name)}/\` | \`${envNamespace(env, a.name)}\` | ${env === 'prod' ? 'pull request from CI, merged by a person' : 'direct commit from CI'} |`,
  ).join('\n');
  return `# Environments

The desired state of every environment, as plain Kubernetes manifests: what is here is what runs.
Nobody edits the manifests by hand; the services' CI renders them (\`make manifests ENV=<env>
DIGEST=sha256:...\`) and publishes them here (\`scripts/publish-manifests.sh\`). A GitOps
controller (Argo CD or Flux) in each cluster applies its environment's folder.

This starter was written by create-go-k8s-service for \`${a.name}\`; add a service by adding its
folders and one Application or Kustomization per environment. Repository URL assumed by the
controller files: \`${url}\` (change it in \`argocd/*.yaml\` and \`flux/gitrepository.yaml\`).

## Layout

| environment | folder | namespace | how changes arrive |
|---|---|---|---|
${rows}

- \`<env>/<service>/\`: one file per object, \`<kind>-<name>.yaml\`, the image by digest
  (\`repository@sha256:...\`). Every commit names the service commit it was rendered from.
- \`argocd/<service>-<env>.yaml\`: an Argo CD \`Application\` per environment (automated sync,
  prune, self-heal, the namespace created with the Pod Security labels of "restricted").
- \`flux/gitrepository.yaml\` and \`flux/<service>-<env>.yaml\`: a Flux \`GitRepository\` for this
  repository, and per environment its \`Namespace\` ("restricted") and a \`Kustomization\` (prune, wait).

The rendered objects are labelled \`app.kubernetes.io/managed-by: argocd\` (or \`flux\`: the
service's \`GITOPS_CONTROLLER\`), without Helm's labels: Helm only renders them.

## Autoscaling

When an environment's values enable the HorizontalPodAutoscaler, the HPA owns the replica count:

- **Argo CD**: the rendered Deployment keeps \`replicas\` (the HPA's minimum), so switching an
  environment to autoscaling never leaves the Deployment without them (the API server would
  default it to 1 pod). Once the HPA has scaled it, the Application ignores the field
  (\`ignoreDifferences\` for what kube-controller-manager manages, \`RespectIgnoreDifferences\`),
  so a sync keeps the HPA's count.
- **Flux** has no such setting, so the Deployment is rendered without \`replicas\`. Switching an
  environment from a fixed count to autoscaling: the first apply without \`replicas\` would let
  the API server default it to 1 pod until the HPA acts. Hand the field over first, in the
  environment's cluster, with the count it runs (bash):
  \`kubectl -n <namespace> apply --server-side --field-manager=hpa-handover -f - <<< '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"<service>"},"spec":{"replicas":N}}'\`
  then merge the change. The field keeps an owner Flux leaves alone, so the count stays until the
  HPA changes it (and takes the field over). \`kubectl scale\` or \`patch\` with the same count
  does not do it: an update that changes nothing takes no ownership.

Adopt it with one of (in each environment's cluster):

    kubectl apply -n argocd -f argocd/${a.name}-dev.yaml
    kubectl apply -f flux/gitrepository.yaml -f flux/${a.name}-dev.yaml

## Promotion

A change reaches an environment only through a commit here, so \`git log <env>/<service>\` is the
deployment history and \`git revert\` is the rollback.

1. A push to the service's default branch builds the image, renders every environment with its
   digest and commits \`dev/\` and \`staging/\` directly.
2. Production is a pull request: the publish step pushes a branch \`publish/<service>-prod-<commit>\`
   that changes \`prod/<service>/\`, typically only the image digest in the Deployment, moving the
   digest staging runs to prod. Review and merge it; the controller does the rest.
3. Which environments get a pull request instead of a direct commit is the service's setting
   (\`GITOPS_PR_ENVS\`, default \`prod\`).

## Credentials (least privilege)

- The service's CI needs write access to this repository only: a deploy key or fine-grained token
  with contents: write (and pull requests: write to open the production PR), nothing else. It never
  holds cluster credentials.
- The controllers need read access only (a read-only deploy key).
- Protect \`main\` so that \`prod/\` changes need a reviewed pull request (CODEOWNERS on \`prod/\`).
`;
}
