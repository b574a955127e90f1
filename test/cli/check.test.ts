// check: passes on fresh repos, names each deliberate breakage, and runs as a CI step
// (exit codes, --json, from any directory of the repo).
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dockerInstructions, makeTargets } from '../../generators/engines/check.js';
import { runCli } from '../support/cli.js';
import { edit, newRepo, readRecord, RECORD, write, writeRecord } from '../support/regen/repo.js';

const CHART = 'charts/orders';
let fresh: string | undefined;

/** A copy of one freshly generated repo, to break in its own way. */
async function repo(): Promise<string> {
  fresh ??= await newRepo();
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-check-')), 'orders');
  cpSync(fresh, dir, { recursive: true });
  return dir;
}

interface Violation {
  rule: string;
  file: string;
  message: string;
}

async function check(dir: string, args: string[] = []): Promise<{ code: number; violations: Violation[]; stdout: string; stderr: string }> {
  const r = await runCli(['check', '--json', ...args], { cwd: dir });
  const j = JSON.parse(r.stdout) as { ok: boolean; violations: Violation[] };
  assert.is(j.ok, r.exitCode === 0);
  return { code: r.exitCode, violations: j.violations, stdout: r.stdout, stderr: r.stderr };
}

for (const args of [
  [],
  ['--ci', 'gitlab', '--base-image', 'scratch', '--no-metrics'],
  ['--ci', 'none', '--base-image', 'alpine', '--tracing', '--port', '9000'],
]) {
  test(`check passes on a fresh repo (${args.join(' ') || 'defaults'})`, async () => {
    const dir = await newRepo({ args });
    const human = await runCli(['check'], { cwd: dir });
    assert.is(human.exitCode, 0, human.stdout + human.stderr);
    assert.match(human.stdout, /✔ \.: all \d+ conventions hold/);
    const j = await check(dir);
    assert.is(j.code, 0);
    assert.equal(j.violations, []);
  });
}

const breakages: [string, string, (dir: string) => void, RegExp][] = [
  [
    'probe path changed',
    'probes',
    (d) => edit(d, `${CHART}/values.yaml`, 'path: /ready', 'path: /readyz'),
    /readinessProbe gets \/readyz; it must get \/ready/,
  ],
  [
    'liveness probe on another port',
    'probes',
    (d) => edit(d, `${CHART}/values.yaml`, /(livenessProbe:\n {2}httpGet:\n {4}path: \/healthz\n {4}port:) http/, '$1 9999'),
    /livenessProbe uses port 9999; it must use the http port \(8080\)/,
  ],
  [
    'containerPort changed',
    'probes',
    (d) => edit(d, `${CHART}/values.yaml`, /^containerPort: 8080$/m, 'containerPort: 8081'),
    /containerPort is 8081, but the service listens on 8080/,
  ],
  [
    'make target removed',
    'makefile-targets',
    (d) => edit(d, 'Makefile', /^tidy:.*\n.*\n/m, ''),
    /Makefile lacks the standard target\(s\): tidy/,
  ],
  [
    'CI stops calling make vuln',
    'ci-make',
    (d) => edit(d, '.github/workflows/ci.yml', /^ {6}- run: make vuln$/m, '      - run: true'),
    /does not run make vuln/,
  ],
  ['USER line removed', 'non-root', (d) => edit(d, 'Dockerfile', /^USER .*\n/m, ''), /the runtime stage has no USER line/],
  ['USER by name', 'non-root', (d) => edit(d, 'Dockerfile', /^USER .*$/m, 'USER nonroot'), /USER nonroot \(line \d+\) is not numeric/],
  [
    'runAsNonRoot off',
    'non-root',
    (d) => edit(d, `${CHART}/values.yaml`, /runAsNonRoot: true/g, 'runAsNonRoot: false'),
    /neither securityContext nor podSecurityContext sets runAsNonRoot: true/,
  ],
  [
    'EXPOSE changed',
    'expose',
    (d) => edit(d, 'Dockerfile', /^EXPOSE 8080$/m, 'EXPOSE 9090'),
    /EXPOSE 9090 does not include the service's port 8080/,
  ],
  [
    'go line lowered',
    'go-version',
    (d) => edit(d, 'go.mod', /^go 1\.\d+(\.\d+)?$/m, 'go 1.24'),
    /go\.mod says go 1\.24; it needs 1\.25 or newer/,
  ],
  [
    'CI stops calling make test',
    'ci-make',
    (d) => edit(d, '.github/workflows/ci.yml', /^ {6}- run: make test$/m, '      - run: go test ./...'),
    /does not run make test/,
  ],
  [
    'CI calls an undefined target',
    'ci-make',
    (d) => edit(d, '.github/workflows/ci.yml', /^ {6}- run: make vet$/m, '      - run: make vet\n      - run: make audit'),
    /runs make audit, which the Makefile does not define/,
  ],
  // The conventions hold for the chart as each environment renders it (values.yaml, then values-<env>.yaml).
  [
    'readinessProbe removed in values-prod.yaml',
    'probes',
    (d) => appendFileSync(join(d, `${CHART}/values-prod.yaml`), 'readinessProbe: null\n'),
    /^values-prod\.yaml: no readinessProbe/,
  ],
  [
    'probe path changed in values-staging.yaml',
    'probes',
    (d) => appendFileSync(join(d, `${CHART}/values-staging.yaml`), 'livenessProbe:\n  httpGet:\n    path: /live\n'),
    /^values-staging\.yaml: livenessProbe gets \/live; it must get \/healthz/,
  ],
  [
    'runAsNonRoot off in values-prod.yaml',
    'non-root',
    (d) =>
      appendFileSync(
        join(d, `${CHART}/values-prod.yaml`),
        'securityContext:\n  runAsNonRoot: false\npodSecurityContext:\n  runAsNonRoot: false\n',
      ),
    /^values-prod\.yaml: neither securityContext nor podSecurityContext sets runAsNonRoot: true/,
  ],
  [
    'root user in values-dev.yaml',
    'non-root',
    (d) => appendFileSync(join(d, `${CHART}/values-dev.yaml`), 'podSecurityContext:\n  runAsUser: 0\n'),
    /^values-dev\.yaml: podSecurityContext\.runAsUser is 0 \(root\)/,
  ],
  [
    'containerPort changed in a values file of its own',
    'probes',
    (d) => write(d, `${CHART}/values-canary.yaml`, 'containerPort: 9000\n'),
    /^values-canary\.yaml: containerPort is 9000, but the service listens on 8080/,
  ],
  [
    'values-prod.yaml not YAML',
    'probes',
    (d) => appendFileSync(join(d, `${CHART}/values-prod.yaml`), 'a: [\n'),
    /values-prod\.yaml is not valid YAML/,
  ],
  // Metrics (and pprof) live on the admin port, which nothing routes from outside.
  [
    'the Ingress routes the admin port',
    'admin-port',
    (d) => edit(d, `${CHART}/templates/ingress.yaml`, 'name: http', 'name: admin'),
    /ingress\.yaml routes the admin port/,
  ],
  [
    'the HTTPRoute routes the admin port',
    'admin-port',
    (d) => edit(d, `${CHART}/templates/httproute.yaml`, '.Values.service.port', '.Values.adminPort'),
    /httproute\.yaml routes the admin port/,
  ],
  [
    'adminPort equal to containerPort in values-prod.yaml',
    'admin-port',
    (d) => appendFileSync(join(d, `${CHART}/values-prod.yaml`), 'adminPort: 8080\n'),
    /^values-prod\.yaml: adminPort is 8080, the http port too/,
  ],
  [
    'the ServiceMonitor scrapes the http port',
    'admin-port',
    (d) => edit(d, `${CHART}/templates/servicemonitor.yaml`, 'port: admin', 'port: http'),
    /servicemonitor\.yaml scrapes port http; metrics are on the admin port/,
  ],
  [
    '/metrics back on the public port',
    'admin-port',
    (d) => edit(d, 'internal/app/routes.go', 's.handleAdmin("GET /metrics"', 's.mux.Handle("GET /metrics"'),
    /internal\/app\/routes\.go serves \/metrics on the public port/,
  ],
  [
    'recorded file deleted',
    'record',
    (d) => rmSync(join(d, '.dockerignore')),
    /\.dockerignore is listed in \.go-k8s-service\.json but missing/,
  ],
  [
    'record answers invalid',
    'record',
    (d) => {
      const r = readRecord(d);
      (r.answers as { port: unknown }).port = 80;
      writeRecord(d, r);
    },
    /recorded answer --port: 80 must be an integer/,
  ],
  ['record not JSON', 'record', (d) => write(d, RECORD, '{ not json'), /is not valid JSON/],
];

for (const [what, rule, breakIt, message] of breakages) {
  test(`check names the violation: ${what}`, async () => {
    const dir = await repo();
    breakIt(dir);
    const r = await check(dir);
    assert.is(r.code, 1, r.stdout);
    assert.ok(
      r.violations.some((v) => v.rule === rule && message.test(v.message)),
      `wanted ${rule} ${message}, got ${JSON.stringify(r.violations)}`,
    );
    assert.ok(
      r.violations.every((v) => v.rule === rule),
      `unrelated violations: ${JSON.stringify(r.violations)}`,
    );
    assert.match(r.stderr, new RegExp(`convention violation\\(s\\) in \\.: .*${rule}`));
  });
}

test('a violation values.yaml already has is reported once, not again for each environment', async () => {
  const dir = await repo();
  edit(dir, `${CHART}/values.yaml`, 'path: /ready', 'path: /readyz');
  const r = await check(dir);
  assert.equal(
    r.violations.map((v) => [v.file, v.message]),
    [[`${CHART}/values.yaml`, 'readinessProbe gets /readyz; it must get /ready']],
  );
});

test('an environment that restores what values.yaml broke is not blamed for it, and its own null wins', async () => {
  const dir = await repo();
  edit(dir, `${CHART}/values.yaml`, 'path: /ready', 'path: /readyz');
  appendFileSync(join(dir, `${CHART}/values-prod.yaml`), 'readinessProbe:\n  httpGet:\n    path: /ready\nstartupProbe: null\n');
  const r = await check(dir);
  assert.equal(
    r.violations.map((v) => v.file),
    [`${CHART}/values.yaml`],
  );
});

test('every breakage at once: each named in human output, exit 1, one error line', async () => {
  const dir = await repo();
  edit(dir, `${CHART}/values.yaml`, 'path: /ready', 'path: /readyz');
  edit(dir, 'Makefile', /^helm-lint:.*\n.*\n/m, '');
  edit(dir, 'Dockerfile', /^USER .*\n/m, '');
  edit(dir, 'Dockerfile', /^EXPOSE 8080$/m, 'EXPOSE 80');
  edit(dir, 'go.mod', /^go 1\.\d+(\.\d+)?$/m, 'go 1.21');
  const r = await runCli(['check'], { cwd: join(dir, 'internal') });
  assert.is(r.exitCode, 1);
  for (const rule of ['probes', 'makefile-targets', 'non-root', 'expose', 'go-version']) {
    assert.match(r.stdout, new RegExp(`^✖ ${rule} `, 'm'));
  }
  // CI runs make helm-lint, which is gone now.
  assert.match(r.stdout, /^✖ ci-make .*make helm-lint, which the Makefile does not define/m);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^error: 6 convention violation\(s\) in \.\.: /);
});

test('a generated file deleted and committed without `remove`: check says what to run, and that settles it', async () => {
  const dir = await repo();
  rmSync(join(dir, 'compose.yaml'));
  const r = await check(dir);
  assert.is(r.code, 1);
  assert.equal(
    r.violations.map((v) => [v.rule, v.file]),
    [['record', 'compose.yaml']],
  );
  assert.match(
    r.violations[0]!.message,
    /`regen compose\.yaml` recreates it, or `create-go-k8s-service remove compose\.yaml` records that you removed it on purpose/,
  );
  const removed = await runCli(['remove', 'compose.yaml'], { cwd: dir });
  assert.is(removed.exitCode, 0, removed.stderr);
  assert.is((await check(dir)).code, 0);
});

test('check runs on a directory argument; outside a generated repo it fails with exit 1', async () => {
  const dir = await repo();
  const ok = await runCli(['check', dir], { cwd: tmpdir() });
  assert.is(ok.exitCode, 0, ok.stdout + ok.stderr);
  const outside = await runCli(['check'], { cwd: join(dir, '..') });
  assert.is(outside.exitCode, 1);
  assert.match(outside.stderr, /no \.go-k8s-service\.json/);
  const usage = await runCli(['check', '--port', '9090'], { cwd: dir });
  assert.is(usage.exitCode, 2);
});

test('Makefile and Dockerfile parsing: continuation lines, variables, multi-target rules', () => {
  const targets = makeTargets('X := 1\nY ?= a:b\n.PHONY: a\na b: c ## both\n\techo a: b\nd:: e\n%.o: %.c\nf: VAR := 1\n# g: h\n');
  assert.equal([...targets].sort(), ['a', 'b', 'd', 'f']);
  const ins = dockerInstructions('FROM a AS b\n# c\nRUN x \\\n  # comment\n  y\nuser 1:1\n');
  assert.equal(
    ins.map((i) => [i.keyword, i.args.replace(/\s+/g, ' '), i.line]),
    [
      ['FROM', 'a AS b', 1],
      ['RUN', 'x y', 3],
      ['USER', '1:1', 6],
    ],
  );
});

test.run();
