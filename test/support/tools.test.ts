// Proof that every validator in tools.ts can fail and can pass: each gets a known-good and a
// known-bad input, built inline. If one of these starts passing bad input, our checks are vacuous.
//
//   npx tsx test/support/tools.test.ts
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  actionlint,
  buildkitLint,
  composeValidate,
  dockerfileUtilsLint,
  ensureTools,
  gitlabCiValidate,
  helmLint,
  helmTemplate,
  kubeScore,
  kubectlValidate,
  podSecurityRestricted,
  staticcheck,
  toolPath,
  toolsDir,
  type ToolResult,
} from './tools.ts';

let work = '';

/** Writes files (relative path → content) under a fresh dir inside the test's temp dir. */
async function files(name: string, tree: Record<string, string>): Promise<string> {
  const root = join(work, name);
  for (const [rel, content] of Object.entries(tree)) {
    const path = join(root, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return root;
}

const passes = (r: ToolResult, what: string): void => assert.ok(r.ok, `${what} should pass:\n${r.output}`);
function fails(r: ToolResult, what: string, ...expected: RegExp[]): void {
  assert.not.ok(r.ok, `${what} should fail`);
  for (const re of expected) assert.match(r.output, re, `${what}: output lacks ${re}:\n${r.output}`);
}

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cgks-tools-test-'));
  await ensureTools();
});
test.after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('toolsDir and toolPath point at installed tools', () => {
  assert.ok(toolPath('helm').startsWith(toolsDir()));
  assert.ok(toolPath('shellcheck').endsWith('/shellcheck'));
});

// ---- Helm -----------------------------------------------------------------------------------

const chart = {
  'Chart.yaml':
    'apiVersion: v2\nname: web\ndescription: test chart\nversion: 0.1.0\nappVersion: "1.0.0"\nicon: https://example.com/icon.png\n',
  'values.yaml': 'replicas: 2\nimage: example/web:1.0.0\n',
  'values.schema.json': JSON.stringify({
    $schema: 'https://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['replicas', 'image'],
    properties: { replicas: { type: 'integer', minimum: 1 }, image: { type: 'string' } },
  }),
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image | quote }}
`,
};

test('helmLint passes a sound chart and fails a broken one or wrong-typed values', async () => {
  const good = await files('chart-good', chart);
  passes(await helmLint(good), 'good chart');
  const wrongValues = join(work, 'wrong-values.yaml');
  await writeFile(wrongValues, 'replicas: three\n');
  fails(await helmLint(good, [wrongValues]), 'wrong-typed values', /replicas/);
  const bad = await files('chart-bad', {
    ...chart,
    'templates/deployment.yaml': chart['templates/deployment.yaml'].replace('{{ .Values.replicas }}', '{{ .Values.replicas '),
  });
  fails(await helmLint(bad), 'unterminated template action', /deployment\.yaml/);
});

test('helmTemplate renders YAML and reports render errors', async () => {
  const good = await files('chart-template', chart);
  const r = await helmTemplate(good, [], { releaseName: 'demo', namespace: 'ns1' });
  passes(r, 'helm template');
  assert.match(r.output, /kind: Deployment/);
  assert.match(r.output, /name: demo-web/);
  const bad = await files('chart-template-bad', {
    ...chart,
    'templates/deployment.yaml': chart['templates/deployment.yaml'].replace(
      '{{ .Values.replicas }}',
      '{{ required "missingValue is required" .Values.missingValue }}',
    ),
  });
  fails(await helmTemplate(bad), 'required value missing', /missingValue is required/);
});

// ---- Kubernetes manifests -----------------------------------------------------------------

const deployment = (spec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
${spec}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "example/web:1.0.0", ports: [{name: http, containerPort: 8080}]}]
`;
const crdObjects = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: gateway}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http, path: /metrics}]
`;

for (const version of ['1.37', '1.35', '1.30'] as const) {
  test(`kubectlValidate ${version}: accepts valid objects, rejects wrong types and unknown fields`, async () => {
    passes(await kubectlValidate(deployment('  replicas: 3') + crdObjects, version), 'valid manifests');
    fails(await kubectlValidate(deployment('  replicas: "three"'), version), 'replicas: "three"', /spec\.replicas/, /integer/);
    fails(await kubectlValidate(deployment('  replicas: 3\n  foo: bar'), version), 'unknown field spec.foo', /spec\.foo/);
    const badMonitor = crdObjects.replace('port: http, path', 'port: 8080, path');
    fails(await kubectlValidate(badMonitor, version), 'ServiceMonitor port as integer', /endpoints\[0\]\.port/);
  });
}

test('kubectlValidate uses the schemas of the requested release only', async () => {
  // resource.k8s.io/v1 is GA since 1.34; flowcontrol v1beta3 was removed in 1.32.
  const deviceClass = 'apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: gpu}\nspec: {}\n';
  passes(await kubectlValidate(deviceClass, '1.37'), 'resource.k8s.io/v1 on 1.37');
  fails(await kubectlValidate(deviceClass, '1.30'), 'resource.k8s.io/v1 on 1.30', /resource\.k8s\.io\/v1/);
  const removed =
    'apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: PriorityLevelConfiguration\nmetadata: {name: x}\nspec: {type: Exempt}\n';
  passes(await kubectlValidate(removed, '1.30'), 'flowcontrol v1beta3 on 1.30');
  fails(await kubectlValidate(removed, '1.37'), 'flowcontrol v1beta3 on 1.37', /flowcontrol/);
});

const restrictedPod = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: app
          image: example/web:1.0.0
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

test('podSecurityRestricted passes a hardened pod and names each violated check', async () => {
  passes(await podSecurityRestricted(restrictedPod), 'restricted deployment');
  const cron = `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          hostNetwork: true
          containers: [{name: job, image: busybox:1.36}]
`;
  fails(
    await podSecurityRestricted(restrictedPod.replace('drop: [ALL]', 'drop: [ALL], add: [NET_RAW]') + cron),
    'privileged pods',
    /Deployment\/web: capabilities_restricted: /,
    /CronJob\/nightly: hostNamespaces: /,
    /CronJob\/nightly: runAsNonRoot: /,
    /CronJob\/nightly: seccompProfile_restricted: /,
  );
});

const scoredApp = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
      containers:
        - name: app
          image: example/web:1.2.3
          imagePullPolicy: Always
          ports: [{name: http, containerPort: 8080}]
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, capabilities: {drop: [ALL]}}
          resources:
            requests: {cpu: 100m, memory: 64Mi, ephemeral-storage: 64Mi}
            limits: {cpu: 500m, memory: 64Mi, ephemeral-storage: 64Mi}
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{ports: [{port: 8080}]}]
  egress: [{}]
`;
const pdb = `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`;

test('kubeScore passes a complete app, fails a bare one, and honours ignored tests', async () => {
  passes(await kubeScore(scoredApp + pdb), 'complete app');
  fails(await kubeScore(scoredApp), 'app without PodDisruptionBudget', /\[CRITICAL\].*PodDisruptionBudget/);
  passes(await kubeScore(scoredApp, ['deployment-has-poddisruptionbudget']), 'PDB test ignored');
  fails(await kubeScore(deployment('  replicas: 1')), 'bare deployment', /\[CRITICAL\]/);
});

// ---- CI files -------------------------------------------------------------------------------

test('actionlint passes a clean workflow and fails on schema and shellcheck findings', async () => {
  const dir = await files('actions', {
    'good.yml': `name: ci
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version-file: go.mod
      - run: make test
      - run: echo "ref=\${{ github.ref }}" >> "$GITHUB_OUTPUT"
`,
    'bad-key.yml': `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    stepz:
      - run: make test
`,
    'bad-shell.yml': `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo $HOME/$UNQUOTED
`,
  });
  passes(await actionlint(join(dir, 'good.yml')), 'good workflow');
  fails(await actionlint(join(dir, 'bad-key.yml')), 'unknown job key', /stepz/);
  fails(await actionlint(join(dir, 'bad-shell.yml')), 'unquoted variable', /SC2086/);
});

test('gitlabCiValidate passes a valid pipeline and rejects wrong types and unknown keywords', async () => {
  const dir = await files('gitlab', {
    'good.yml': `stages: [test, build]
variables:
  GOTOOLCHAIN: local
.go: &go
  image: golang:1.26
  before_script: [go version]
test:
  <<: *go
  stage: test
  script:
    - go test ./...
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
build:
  extends: .go
  stage: build
  script:
    - !reference [.go, before_script]
    - go build ./...
  artifacts:
    paths: [bin/]
    expire_in: 1 week
`,
    'script-number.yml': 'test:\n  script: 42\n',
    'unknown-keyword.yml': 'test:\n  script: [make test]\n  scripts: [make lint]\n',
    'bad-when.yml': 'test:\n  script: [make test]\n  when: sometimes\n',
  });
  passes(await gitlabCiValidate(join(dir, 'good.yml')), 'good pipeline');
  fails(await gitlabCiValidate(join(dir, 'script-number.yml')), 'script: 42', /\/test\/script/);
  fails(await gitlabCiValidate(join(dir, 'unknown-keyword.yml')), 'unknown job keyword', /scripts/);
  fails(await gitlabCiValidate(join(dir, 'bad-when.yml')), 'when: sometimes', /\/test\/when/);
});

// ---- Dockerfiles ----------------------------------------------------------------------------

const goodDockerfile = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26
FROM golang:\${GO_VERSION} AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags "-s -w -X main.version=\${VERSION}" -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app"]
`;
const badDockerfile = `FROM golang:1.26 as build
ARG VERSION
WORKDIR /src
COPY . .
ENV LDFLAGS="-X main.version=$VERSION -X main.commit=$COMMIT"
RUN go build -ldflags "$LDFLAGS" -o /out/app ./cmd/app
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT /app
`;

test('dockerfileUtilsLint passes a clean Dockerfile and reports diagnostics', async () => {
  const dir = await files('dockerfile-utils', {
    good: goodDockerfile,
    bad: 'from golang:1.26\nEXPOSE http\nWORKDIR src\nMAINTAINER me\n',
  });
  passes(await dockerfileUtilsLint(join(dir, 'good')), 'good Dockerfile');
  fails(await dockerfileUtilsLint(join(dir, 'bad')), 'bad Dockerfile', /bad:1:/, /bad:2:/, /MAINTAINER/i);
});

test('buildkitLint passes a clean Dockerfile and reports BuildKit rule names', async () => {
  const dir = await files('buildkit', { good: goodDockerfile, bad: badDockerfile });
  passes(await buildkitLint(join(dir, 'good')), 'good Dockerfile');
  passes(await buildkitLint(join(dir, 'good'), { GO_VERSION: '1.25', VERSION: 'v1.0.0' }), 'good Dockerfile with build args');
  fails(
    await buildkitLint(join(dir, 'bad')),
    'bad Dockerfile',
    /bad:1: FromAsCasing: /,
    /bad:5: UndefinedVar: .*\$COMMIT/,
    /bad:9: JSONArgsRecommended: /,
  );
});

// ---- Go and Compose ------------------------------------------------------------------------

test('staticcheck passes clean Go and reports findings', async () => {
  const goMod = 'module example.com/sc\n\ngo 1.25\n';
  const good = await files('staticcheck-good', {
    'go.mod': goMod,
    'main.go': 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n',
  });
  passes(await staticcheck(good), 'clean module');
  const bad = await files('staticcheck-bad', {
    'go.mod': goMod,
    'main.go':
      'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc unused() {}\n\nfunc main() {\n\tfmt.Println(strings.Replace("a", "a", "b", 0))\n}\n',
  });
  fails(await staticcheck(bad), 'module with findings', /U1000/, /SA1018/);
});

test('composeValidate passes a valid file, uses the env file, rejects schema errors', async () => {
  const compose = `services:
  app:
    build: .
    image: example/app:\${TAG:-dev}
    ports: ["\${PORT:-8080}:8080"]
    environment:
      LOG_LEVEL: \${LOG_LEVEL:?set LOG_LEVEL}
    healthcheck:
      test: ["CMD", "/app", "-healthcheck"]
      interval: 10s
`;
  const dir = await files('compose', {
    'compose.yaml': compose,
    'ci.env': 'LOG_LEVEL=debug\n',
    'bad/compose.yaml': 'services:\n  app:\n    image: x\n    bogus: 1\n',
    'bad2/compose.yaml': 'services:\n  app:\n    image: x\n    ports: 8080\n',
  });
  fails(await composeValidate(join(dir, 'compose.yaml')), 'required variable unset', /LOG_LEVEL/);
  passes(await composeValidate(join(dir, 'compose.yaml'), join(dir, 'ci.env')), 'with --env-file');
  await writeFile(join(dir, '.env'), 'LOG_LEVEL=info\n');
  passes(await composeValidate(join(dir, 'compose.yaml')), 'with .env beside the file');
  fails(await composeValidate(join(dir, 'bad', 'compose.yaml')), 'unknown service key', /bogus/);
  fails(await composeValidate(join(dir, 'bad2', 'compose.yaml')), 'ports not a list', /ports/);
});

test.run();
