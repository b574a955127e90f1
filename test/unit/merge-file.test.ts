// The 3-way merge of a file the team edited (generators/plumbing/merge-file.ts), by structure
// where a line merge gives markers no person should have to resolve: go.sum, chart values
// YAML, renovate.json and the Makefile (go.mod: test/e2e/gomod-modfile.test.ts, held to
// modfile). Each case is a rendered file, an edit a team makes, and a change the generator
// makes close to it; each falls back to the line merge, saying so, when a side does not parse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseDocument } from 'yaml';
import { mergeFile } from '../../generators/plumbing/merge-file.js';
import { mergeText } from '../../generators/plumbing/merge.js';
import { render } from '../support/generate.js';

const file = (path: string, answers = {}) => render(answers).find((f) => f.path === path)!.content;

test('go.sum: the union of both sides, sorted as go writes it, where the line merge conflicts', () => {
  const base = file('go.sum');
  // `go get github.com/gorilla/mux` writes its lines in sorted place.
  const gocmp = [
    'github.com/gorilla/mux v1.8.1 h1:TuBL49tXwgrFYWhqrNgrUNEY92u81SPhu7sTdzQEiWY=',
    'github.com/gorilla/mux v1.8.1/go.mod h1:AKf9I4AEqPTmMytcMc0KkNouC66V3BtZ4qD5fmWSiMQ=',
  ];
  const ours = `${[...base.trimEnd().split('\n'), ...gocmp].sort().join('\n')}\n`;
  const theirs = file('go.sum', { metrics: true, tracing: true });
  assert.ok(mergeText(ours, base, theirs).conflicts > 0, 'control: the line merge conflicts here');
  const m = mergeFile('go.sum', ours, base, theirs);
  assert.is(m.conflicts, 0);
  assert.is(m.fellBack, undefined);
  const lines = m.text.trimEnd().split('\n');
  for (const l of [...ours.trimEnd().split('\n'), ...theirs.trimEnd().split('\n')]) assert.ok(lines.includes(l), `lost ${l}`);
  assert.is(new Set(lines).size, lines.length);
  const at = lines.indexOf(gocmp[0]!);
  assert.ok(lines[at - 1]! < lines[at]! && lines[at + 1] === gocmp[1] && lines[at + 2]! > lines[at + 1]!, 'in order');
});

test("values-prod.yaml: the team's value and comment stay, the generator's change to another key arrives", () => {
  const base = file('charts/demo-svc/values-prod.yaml');
  const ours = base.replace('replicaCount: 3', '# Black Friday sizing.\nreplicaCount: 6').replace('  maxReplicas: 10', '  maxReplicas: 40');
  const theirs = base
    .replace('  minReplicas: 3', '  minReplicas: 4')
    .replace(/^log:\n {2}level: info\n/m, 'log:\n  level: info\n  format: json\n');
  const m = mergeFile('charts/demo-svc/values-prod.yaml', ours, base, theirs);
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 0);
  const v = parseYaml(m.text) as {
    replicaCount: number;
    autoscaling: { minReplicas: number; maxReplicas: number };
    log: Record<string, string>;
  };
  assert.is(v.replicaCount, 6);
  assert.is(v.autoscaling.maxReplicas, 40);
  assert.is(v.autoscaling.minReplicas, 4);
  assert.equal(v.log, { level: 'info', format: 'json' });
  assert.match(m.text, '# Black Friday sizing.\nreplicaCount: 6');
  assert.match(m.text, '# The HorizontalPodAutoscaler owns the replica count');
  // Key order is the team's.
  const keys = Object.keys(v);
  assert.equal(keys, Object.keys(parseYaml(ours) as object));
});

test('values YAML: a comment the team put beside a value stays when the generator changes the value', () => {
  const base = file('charts/demo-svc/values.yaml');
  const ours = base.replace(/^revisionHistoryLimit: 10$/m, 'revisionHistoryLimit: 10 # audit wants ten');
  const theirs = base.replace(/^revisionHistoryLimit: 10$/m, 'revisionHistoryLimit: 5');
  const m = mergeFile('charts/demo-svc/values.yaml', ours, base, theirs);
  assert.is(m.conflicts, 0);
  assert.match(m.text, /^revisionHistoryLimit: 5 # audit wants ten$/m);
});

test('values YAML: both sides changed one scalar → markers on that line only', () => {
  const base = file('charts/demo-svc/values-prod.yaml');
  const ours = base.replace('  maxReplicas: 10', '  maxReplicas: 40');
  const theirs = base.replace('  maxReplicas: 10', '  maxReplicas: 12').replace('  minReplicas: 3', '  minReplicas: 4');
  const m = mergeFile('charts/demo-svc/values-prod.yaml', ours, base, theirs);
  assert.is(m.conflicts, 1);
  assert.match(m.text, '<<<<<<< ours\n  maxReplicas: 40\n=======\n  maxReplicas: 12\n>>>>>>> theirs\n');
  assert.match(m.text, '  minReplicas: 4\n');
  const resolved = m.text.replace(/<<<<<<< ours\n(.*\n)=======\n.*\n>>>>>>> theirs\n/, '$1');
  assert.is(parseDocument(resolved).errors.length, 0);
});

test('values YAML that does not parse falls back to the line merge and says so', () => {
  const base = file('charts/demo-svc/values-prod.yaml');
  const ours = base.replace('replicaCount: 3', 'replicaCount: [3');
  const theirs = base.replace('  minReplicas: 3', '  minReplicas: 4');
  const m = mergeFile('charts/demo-svc/values-prod.yaml', ours, base, theirs);
  assert.match(m.fellBack ?? '', /^charts\/demo-svc\/values-prod\.yaml: merged by line, not as YAML \(ours is not YAML/);
  assert.equal(m, { ...mergeText(ours, base, theirs), fellBack: m.fellBack });
});

test("renovate.json: the team's rule and the generator's new setting both land, in the team's layout", () => {
  const base = file('renovate.json');
  const ours = base
    .replace('"timezone": "Etc/UTC"', '"timezone": "Europe/Berlin"')
    .replace('"schedule": ["before 6am on monday"]', '"schedule": ["before 6am on monday"],\n  "labels": ["deps"]');
  const theirs = base
    .replace('"postUpdateOptions": ["gomodTidy"]', '"postUpdateOptions": ["gomodTidy", "gomodUpdateImportPaths"]')
    .replace('"timezone": "Etc/UTC",', '"timezone": "Etc/UTC",\n  "prConcurrentLimit": 5,');
  assert.ok(mergeText(ours, base, theirs).conflicts > 0, 'control: the line merge conflicts here');
  const m = mergeFile('renovate.json', ours, base, theirs);
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 0, m.text);
  const v = JSON.parse(m.text) as Record<string, unknown>;
  assert.is(v.timezone, 'Europe/Berlin');
  assert.equal(v.labels, ['deps']);
  assert.equal(v.postUpdateOptions, ['gomodTidy', 'gomodUpdateImportPaths']);
  assert.is(v.prConcurrentLimit, 5);
  assert.equal(Object.keys(v).slice(0, 6), ['$schema', 'description', 'extends', 'timezone', 'prConcurrentLimit', 'schedule']);
  assert.match(m.text, '"extends": ["config:recommended"', 'one-line arrays stay one line');
});

test('renovate.json: both changed one setting → markers on that line', () => {
  const base = file('renovate.json');
  const m = mergeFile('renovate.json', base.replace('"Etc/UTC"', '"Europe/Berlin"'), base, base.replace('"Etc/UTC"', '"UTC"'));
  assert.is(m.conflicts, 1);
  assert.match(m.text, '<<<<<<< ours\n  "timezone": "Europe/Berlin",\n=======\n  "timezone": "UTC",\n>>>>>>> theirs\n');
});

test('Makefile: a team target and a generator change to a variable and a recipe merge by target', () => {
  const base = file('Makefile');
  const ours = base
    .replace(/^(IMAGE \?= .*)$/m, '$1\nCOVERAGE ?= 80')
    .replace(/^(\.PHONY: helm-lint.*)$/m, '$1\n\n.PHONY: bench\nbench: ## Run the benchmarks\n\tgo test -run=^$$ -bench=. ./...');
  const theirs = base
    .replace(/^CHART {2}:= charts\/\$\(NAME\)$/m, 'CHART  := deploy/charts/$(NAME)')
    .replace(/^(IMAGE \?= .*)$/m, '$1\nPLATFORMS ?= linux/amd64,linux/arm64');
  assert.is.not(theirs, base);
  assert.ok(mergeText(ours, base, theirs).conflicts > 0, 'control: the line merge conflicts here');
  const m = mergeFile('Makefile', ours, base, theirs);
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 0, m.text);
  assert.match(m.text, 'CHART  := deploy/charts/$(NAME)');
  assert.match(m.text, 'COVERAGE ?= 80');
  assert.match(m.text, 'PLATFORMS ?= linux/amd64,linux/arm64');
  assert.match(m.text, 'bench: ## Run the benchmarks\n\tgo test');
});

test('Makefile: both changed one recipe → markers inside that target only', () => {
  const base = file('Makefile');
  const target = /^test:.*\n(\t.*\n)+/m.exec(base)![0];
  const ours = base.replace(target, `${target.trimEnd()} -count=1\n`);
  const theirs = base.replace(target, `${target.trimEnd()} -shuffle=on\n`);
  const m = mergeFile('Makefile', ours, base, theirs);
  assert.is(m.conflicts, 1);
  assert.is(m.text.split('<<<<<<<').length, 2);
});

const COMBOS = (['github', 'gitlab', 'none'] as const).flatMap((ci) =>
  (['none', 'postgres'] as const).flatMap((database) =>
    [false, true].map((on) => ({ ci, database, metrics: on, tracing: on, updateJob: on })),
  ),
);

test('every rendered Makefile, values file and renovate.json merges structurally with itself and with a one-key edit', () => {
  for (const answers of COMBOS) {
    for (const f of render(answers)) {
      const kind = /(^|\/)Makefile$|values[^/]*\.yaml$|renovate\.json$/.test(f.path);
      if (!kind) continue;
      const same = mergeFile(f.path, f.content, f.content, f.content);
      assert.is(same.fellBack, undefined, `${JSON.stringify(answers)} ${f.path}: ${same.fellBack}`);
      assert.is(same.text, f.content, `${f.path} changed by merging with itself`);
    }
  }
});

test('a file without a structure-aware merge takes the line merge, no fallback said', () => {
  const m = mergeFile('README.md', 'a\nb\n', 'a\n', 'a\nc\n');
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 1);
});

const MOD = `module example.com/svc

go 1.26.0

require (
\tgithub.com/a/a v1.0.0
\tgithub.com/b/b v1.0.0
\tgithub.com/c/c v1.0.0
)

require golang.org/x/sys v0.47.0 // indirect
`;
const req = (text: string) =>
  Object.fromEntries(
    [...text.matchAll(/^\s*(?:require )?(\S+\.\S+) (v\S+)( \/\/ indirect)?$/gm)].map((m) => [m[1], m[2] + (m[3] ? ' indirect' : '')]),
  );

test('go.mod: added by the team stays, bumped by the generator arrives, both bumped takes the higher (pseudo-versions too)', () => {
  const ours = MOD.replace('\tgithub.com/b/b v1.0.0\n', '\tgithub.com/b/b v1.0.0\n\tgithub.com/bb/team v0.3.0\n')
    .replace('github.com/c/c v1.0.0', 'github.com/c/c v1.2.3-0.20250101000000-abcdefabcdef')
    .replace('golang.org/x/sys v0.47.0', 'golang.org/x/sys v0.0.0-20260101000000-abcdefabcdef');
  const theirs = MOD.replace('github.com/b/b v1.0.0', 'github.com/b/b v1.1.0')
    .replace('github.com/c/c v1.0.0', 'github.com/c/c v1.2.2')
    .replace('golang.org/x/sys v0.47.0', 'golang.org/x/sys v0.48.0');
  assert.ok(mergeText(ours, MOD, theirs).conflicts > 0, 'control: the line merge conflicts here');
  const m = mergeFile('go.mod', ours, MOD, theirs);
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 0);
  assert.equal(req(m.text), {
    'github.com/a/a': 'v1.0.0',
    'github.com/b/b': 'v1.1.0',
    'github.com/bb/team': 'v0.3.0',
    // v1.2.3-0.2025… is a pseudo-version after v1.2.2: higher.
    'github.com/c/c': 'v1.2.3-0.20250101000000-abcdefabcdef',
    // v0.0.0-2026… is a pseudo-version before any release: lower than v0.48.0.
    'golang.org/x/sys': 'v0.48.0 indirect',
  });
});

test("go.mod: removals, the go and toolchain lines, the team's replace", () => {
  const ours =
    MOD.replace('github.com/c/c v1.0.0', 'github.com/c/c v1.5.0').replace('go 1.26.0', 'go 1.26.9\n\ntoolchain go1.26.9') +
    '\nreplace github.com/a/a => ../a\n';
  // The generator drops b (unused by it now) and c, and raises go.
  const theirs = MOD.replace('\tgithub.com/b/b v1.0.0\n', '').replace('\tgithub.com/c/c v1.0.0\n', '').replace('go 1.26.0', 'go 1.26.10');
  const m = mergeFile('go.mod', ours, MOD, theirs);
  assert.is(m.conflicts, 0);
  assert.is(m.fellBack, undefined);
  const r = req(m.text);
  assert.is(r['github.com/b/b'], undefined, 'dropped: the team left it alone');
  assert.is(r['github.com/c/c'], 'v1.5.0', 'kept: the team changed it');
  assert.match(m.text, /^go 1\.26\.10$/m);
  assert.match(m.text, /^toolchain go1\.26\.9$/m);
  assert.match(m.text, /^replace github\.com\/a\/a => \.\.\/a$/m);
});

test('go.mod: both renamed the module → the line merge, and why', () => {
  const m = mergeFile(
    'go.mod',
    MOD.replace('example.com/svc', 'example.com/ours'),
    MOD,
    MOD.replace('example.com/svc', 'example.com/theirs'),
  );
  assert.is(m.conflicts, 1);
  assert.is(m.fellBack, 'go.mod: merged by line, not as go.mod (both sides changed module differently)');
});

test('go.mod with conflict markers falls back and names the file', () => {
  const base = file('go.mod');
  const ours = base.replace('require (\n', 'require (\n<<<<<<< ours\n');
  const m = mergeFile('go.mod', ours, base, base.replace('v1.6.0', 'v1.7.0'));
  assert.match(m.fellBack ?? '', /^go\.mod: merged by line, not as go\.mod \(/);
});

// api.go as 0.2.0 wrote it, the team's route added below the last generated line, and a later
// release that removed that line and calls the team's RegisterRoutes above the hello route.
const API_BASE = `func Register(mux *http.ServeMux) {
\tmux.HandleFunc("GET /api/v1/hello", hello)
\tregisterE2E(mux)
}
`;
const API_OURS = `func Register(mux *http.ServeMux) {
\tmux.HandleFunc("GET /api/v1/hello", hello)
\tregisterE2E(mux)
\tmux.HandleFunc("GET /api/v1/orders", listOrders)
}
`;
const API_THEIRS = `func Register(mux *http.ServeMux) {
\tRegisterRoutes(mux)
\tmux.HandleFunc("GET /api/v1/hello", hello)
}
`;

test("Go: the team's route added beside lines the release changed keeps both (git's line merge marks it)", () => {
  assert.ok(mergeText(API_OURS, API_BASE, API_THEIRS).conflicts > 0, 'control: the line merge conflicts here');
  const m = mergeFile('internal/api/api.go', API_OURS, API_BASE, API_THEIRS);
  assert.is(m.conflicts, 0, m.text);
  assert.is(
    m.text,
    `func Register(mux *http.ServeMux) {
\tRegisterRoutes(mux)
\tmux.HandleFunc("GET /api/v1/hello", hello)
\tmux.HandleFunc("GET /api/v1/orders", listOrders)
}
`,
  );
  // Sides swapped (the release added lines beside the team's change): the same rule.
  const swapped = mergeFile('internal/api/api.go', API_THEIRS, API_BASE, API_OURS);
  assert.is(swapped.conflicts, 0, swapped.text);
  assert.match(
    swapped.text,
    /RegisterRoutes\(mux\)\n\tmux\.HandleFunc\("GET \/api\/v1\/hello", hello\)\n\tmux\.HandleFunc\("GET \/api\/v1\/orders", listOrders\)\n/,
  );
});

test("Go: a line both sides changed, or lines both added at one place, stay a conflict; other files keep git's rule", () => {
  const clash = mergeFile('internal/api/api.go', API_BASE.replace('hello)', 'hi)'), API_BASE, API_BASE.replace('hello)', 'howdy)'));
  assert.is(clash.conflicts, 1);
  assert.match(clash.text, /<<<<<<< ours\n\tmux\.HandleFunc\("GET \/api\/v1\/hello", hi\)\n=======\n/);
  assert.not.match(clash.text, /\|\|\|\|\|\|\| base/, 'markers as the line merge writes them');
  const bothAdd = mergeFile(
    'internal/api/api.go',
    API_BASE.replace('}\n', '\tours(mux)\n}\n'),
    API_BASE,
    API_BASE.replace('}\n', '\ttheirs(mux)\n}\n'),
  );
  assert.is(bothAdd.conflicts, 1);
  // The same shape in a file nothing compiles stays git's conflict.
  assert.ok(mergeFile('docs/api.txt', API_OURS, API_BASE, API_THEIRS).conflicts > 0);
});

test.run();
