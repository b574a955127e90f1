// check's rules against the templates as they render now: a freshly generated repo keeps every
// convention (for each CI and deploy choice), and each rule that reads template output finds
// the break made in that output, so a template change that a rule no longer understands fails
// here, in the fast tier.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECK_RULES, checkRepo, RULES, type CheckRule, type Rule } from '../../generators/engines/check.js';
import type { Answers } from '../../generators/model/questions.js';
import { buildRecord, RECORD_FILE, serializeRecord } from '../../generators/model/record.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { answersFor, generate, render } from '../support/generate.js';

/** A repo as create writes it (files and record), for these answers. */
function repo(overrides: Partial<Answers> = {}): string {
  const dir = generate({ name: 'orders', ...overrides }, 'cgks-check-');
  const record = buildRecord(answersFor({ name: 'orders', ...overrides }), GENERATOR_VERSION, render({ name: 'orders', ...overrides }));
  writeFileSync(join(dir, RECORD_FILE), serializeRecord(record));
  return dir;
}

function edit(dir: string, file: string, from: RegExp, to: string): void {
  const text = readFileSync(join(dir, file), 'utf8');
  assert.match(text, from, `${file} as rendered has ${from}: the break below would not be made`);
  writeFileSync(join(dir, file), text.replace(from, to));
}

test('the table: one record per rule, ids unique, each with a name, a description and a run', () => {
  assert.equal(new Set(RULES).size, CHECK_RULES.length);
  for (const r of CHECK_RULES as readonly CheckRule[]) {
    assert.match(r.name, /^[A-Z][A-Za-z]+$/, r.id);
    assert.ok(r.description.length > 20, r.id);
    // A preset rule runs in preset-check.ts, with the recorded preset.
    assert.type(r.run, r.needs === 'preset' ? 'undefined' : 'function');
  }
});

const COMBINATIONS: [string, Partial<Answers>, Partial<Record<Rule, RegExp>>][] = [
  ['defaults (GitHub Actions, helm)', {}, { gitops: /deploy is helm/ }],
  ['GitLab CI', { ci: 'gitlab' }, { gitops: /deploy is helm/ }],
  ['no CI', { ci: 'none' }, { 'ci-make': /no CI file/, gitops: /deploy is helm/ }],
  ['GitOps on GitHub', { deploy: 'gitops' }, {}],
  ['GitOps on GitLab', { deploy: 'gitops', ci: 'gitlab' }, {}],
  ['no metrics, port 9090', { metrics: false, port: 9090 }, { gitops: /deploy is helm/ }],
];

for (const [name, overrides, skipped] of COMBINATIONS) {
  test(`freshly generated (${name}): every convention holds; only the rules that do not apply are skipped`, () => {
    const dir = repo(overrides);
    try {
      const r = checkRepo(dir);
      assert.equal(r.violations, []);
      assert.equal(
        r.skipped.map((s) => s.rule),
        Object.keys(skipped),
      );
      for (const s of r.skipped) assert.match(s.reason, skipped[s.rule]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Each rule, and a break of the rendered output it reads: the rule, and only it, reports it. */
const BREAKS: [Rule, string, Partial<Answers>, (dir: string) => void, RegExp][] = [
  ['record', 'a listed file deleted', {}, (d) => rmSync(join(d, 'compose.yaml')), /compose\.yaml is listed in .* but missing/],
  [
    'makefile-targets',
    'the clean target renamed',
    {},
    (d) => edit(d, 'Makefile', /^clean:/m, 'clean-all:'),
    /lacks the standard target\(s\): clean/,
  ],
  [
    'probes',
    'readiness on /readyz',
    {},
    (d) => edit(d, 'charts/orders/values.yaml', /path: \/ready$/m, 'path: /readyz'),
    /readinessProbe gets \/readyz/,
  ],
  [
    'probes',
    'containerPort off the service port',
    {},
    (d) => edit(d, 'charts/orders/values.yaml', /^containerPort: 8080$/m, 'containerPort: 8081'),
    /containerPort is 8081/,
  ],
  ['non-root', 'USER root in the image', {}, (d) => edit(d, 'Dockerfile', /^USER 65532:65532$/m, 'USER 0'), /runs the container as root/],
  [
    'non-root',
    'runAsNonRoot off in the chart',
    {},
    (d) => edit(d, 'charts/orders/values.yaml', /runAsNonRoot: true/g, 'runAsNonRoot: false'),
    /sets runAsNonRoot: true/,
  ],
  [
    'expose',
    'EXPOSE of another port',
    {},
    (d) => edit(d, 'Dockerfile', /^EXPOSE 8080$/m, 'EXPOSE 8081'),
    /does not include the service's port 8080/,
  ],
  [
    'ci-make',
    'GitHub Actions without make lint',
    {},
    (d) => edit(d, '.github/workflows/ci.yml', /make lint/g, 'golangci-lint run'),
    /does not run make lint/,
  ],
  [
    'ci-make',
    'GitLab CI without make vuln',
    { ci: 'gitlab' },
    (d) => edit(d, '.gitlab-ci.yml', /make vuln/g, 'govulncheck ./...'),
    /does not run make vuln/,
  ],
  ['go-version', 'an old go line', {}, (d) => edit(d, 'go.mod', /^go 1\.\d+(\.\d+)?$/m, 'go 1.20'), /go\.mod says go 1\.20/],
  [
    'admin-port',
    'metrics scraped on the http port',
    {},
    (d) => edit(d, 'charts/orders/templates/servicemonitor.yaml', /- port: admin$/m, '- port: http'),
    /scrapes port http/,
  ],
  [
    'admin-port',
    'metrics back on the public port in routes.go',
    {},
    (d) => edit(d, 'internal/app/routes.go', /s\.handleAdmin\("GET \/metrics"/, 's.mux.Handle("GET /metrics"'),
    /routes\.go serves \/metrics on the public port/,
  ],
  [
    'admin-port',
    'adminPort on the http port',
    {},
    (d) => edit(d, 'charts/orders/values.yaml', /^adminPort: \d+$/m, 'adminPort: 8080'),
    /the http port too/,
  ],
  [
    'gitops',
    'CI that publishes nothing',
    { deploy: 'gitops' },
    (d) => edit(d, '.github/workflows/ci.yml', /scripts\/publish-manifests\.sh/g, 'true'),
    /does not run scripts\/publish-manifests\.sh/,
  ],
  [
    'gitops',
    'no manifests target',
    { deploy: 'gitops' },
    (d) => edit(d, 'Makefile', /^manifests:/m, 'manifests-all:'),
    /no manifests target/,
  ],
  [
    'conflict-markers',
    'a merge left its markers',
    {},
    (d) => edit(d, 'Dockerfile', /^EXPOSE 8080$/m, '<<<<<<< ours\nEXPOSE 8080\n=======\nEXPOSE 8080 # theirs\n>>>>>>> theirs'),
    /Dockerfile holds unresolved conflict markers \(<<<<<<< at line \d+\)/,
  ],
];

for (const [rule, what, overrides, breakIt, message] of BREAKS) {
  test(`${rule}: ${what}`, () => {
    const dir = repo(overrides);
    try {
      breakIt(dir);
      const r = checkRepo(dir);
      assert.ok(r.violations.length > 0, 'no violation');
      for (const v of r.violations) assert.is(v.rule, rule, JSON.stringify(v));
      assert.ok(
        r.violations.some((v) => message.test(v.message)),
        JSON.stringify(r.violations),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// preset-lock reads the record against a loaded preset (preset-check.ts), not template output:
// test/cli/preset-answers.test.ts.
test('every rule checkRepo runs has a break above', () => {
  const own = CHECK_RULES.filter((r) => r.needs !== 'preset').map((r) => r.id);
  assert.equal([...new Set(BREAKS.map(([r]) => r))].sort(), [...own].sort());
});

test.run();
