// test-budget: 1500 s (builds three released packages once per machine; 24 repos made, edited, updated, built and linted)
// test-shards: 4
// The fleet trial, as a test: 24 services made by three older releases, each with the
// kinds of edits a team makes (a `go get`, a route with its handler and test, a values change, a
// Makefile variable, README, Dockerfile and CI edits, a `git rm`, and one line that the team and
// the new version both changed), committed in three commits and pushed to a bare origin; then
// this version's `update --bot` in a bot's fresh clone (half of them `--depth 1`, the rest
// `--no-local`). Per repo: every edit kept, nothing put aside, the only conflict the designed
// one, and the pull request builds as the bot left it: `go build ./...`, `go vet ./...`,
// `helm lint --strict`, actionlint or GitLab's CI schema on the merged CI file when the designed
// conflict is elsewhere. The table is printed (each shard prints its repos).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { runCli } from '../support/cli.js';
import { go } from '../support/go.js';
import { extracted, packagesDir, releasedTarball } from '../support/packages.js';
import { commitAll, git, read, readRecord, write } from '../support/regen/repo.js';
import { shard } from '../support/shard.js';
import * as tools from '../support/tools.js';

/** Three releases, oldest first: before routes.go (0.2.0, 0.4.0) and after it (0.5.0). */
const RELEASES = [
  ['0.2.0', '16361e6'],
  ['0.4.0', 'ab17b67'],
  ['0.5.0', '03db2ef'],
] as const;
const FLEET = 24;
const OPTION_SETS = [[], ['--ci', 'gitlab'], ['--tracing'], ['--ci', 'gitlab', '--no-metrics']];
// Before 0.4.0, Register in api.go ended with a generated registerE2E(mux) line that later
// releases removed, right where a team adds its route: git's line merge marks those adjacent
// edits; the Go merge keeps both (plumbing/merge-go.ts), so those repos build too.
/** Where the designed conflict goes, in turn. */
const CONFLICT_IN = ['Makefile', 'README.md', 'Dockerfile', 'CI'] as const;
/** The team's `go get` as a team runs it: through the module proxy when an old release's modules are not cached yet. */
const TEAM_GO = { GOFLAGS: '-mod=mod' };

const tarballs = RELEASES.map(([, commit]) => releasedTarball(commit));
const clis = new Map(RELEASES.map(([v], i) => [v as string, join(extracted(tarballs[i]!), 'dist/cli.cjs')]));
const env = { GO_K8S_SERVICE_PACKAGES: packagesDir(tarballs), XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'cgks-trial-cache-')) };

interface Row {
  repo: string;
  from: string;
  clone: string;
  ci: string;
  designed: string;
  conflicts: string;
  edits: string;
  build: string;
  vet: string;
  helm: string;
  ciCheck: string;
  ms: number;
}
const rows: Row[] = [];

const ciPath = (args: readonly string[]) => (args.includes('gitlab') ? '.gitlab-ci.yml' : '.github/workflows/ci.yml');

/** What `version` and this version write for the same flags, to find lines this update changes. */
async function renders(version: string, flags: string[]): Promise<{ old: string; now: string }> {
  const work = mkdtempSync(join(tmpdir(), 'cgks-trial-diff-'));
  for (const [dir, cli] of [
    ['old', clis.get(version)],
    ['now', undefined],
  ] as const) {
    const r = await runCli([join(work, dir), ...flags, '--no-git', '--no-install'], cli ? { cli } : {});
    assert.is(r.exitCode, 0, r.stderr);
  }
  return { old: join(work, 'old'), now: join(work, 'now') };
}

/** A line of `path` (not blank, not a comment) that this version changes in what `version` wrote. */
function changedLine(r: { old: string; now: string }, path: string): string | undefined {
  if (!existsSync(join(r.old, path)) || !existsSync(join(r.now, path))) return undefined;
  for (const part of diffLines(read(r.old, path), read(r.now, path))) {
    if (!part.removed) continue;
    const line = part.value.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#') && !/^\s*-?\s*$/.test(l));
    if (line) return line;
  }
  return undefined;
}

/** An added line in the team's copy: `after` (a line or regex of it) must exist. */
function insertAfter(dir: string, path: string, after: RegExp, text: string): void {
  const before = read(dir, path);
  assert.match(before, after, `${path}: no line ${after}`);
  write(
    dir,
    path,
    before.replace(after, (m) => `${m}${text}`),
  );
}

interface Service {
  name: string;
  version: string;
  args: string[];
  clone: 'shallow' | 'no-local';
  /** path → text the team wrote that must survive. */
  edits: Map<string, string>;
  /** The designed conflict's file. */
  conflictIn: string;
  removed: string[];
  origin: string;
}

async function makeService(i: number): Promise<Service> {
  const version = RELEASES[i % RELEASES.length]![0];
  const name = `svc${String(i).padStart(2, '0')}`;
  const args = OPTION_SETS[Math.floor(i / RELEASES.length) % OPTION_SETS.length]!;
  const flags = ['--name', name, '--module', `github.com/acme/${name}`, '--yes', ...args];
  const root = mkdtempSync(join(tmpdir(), 'cgks-trial-'));
  const dir = join(root, name);
  const made = await runCli([dir, ...flags, '--no-install'], { cli: clis.get(version)! });
  assert.is(made.exitCode, 0, made.stderr);
  assert.is(readRecord(dir).version, version);
  const edits = new Map<string, string>();

  // 1. A dependency, used by the team's code; a route with its handler and test.
  mkdirSync(join(dir, 'internal/team'), { recursive: true });
  write(
    dir,
    'internal/team/diff.go',
    'package team\n\nimport "github.com/google/go-cmp/cmp"\n\n// Diff reports how two values differ.\nfunc Diff(a, b any) string { return cmp.Diff(a, b) }\n',
  );
  const got = await go(dir, ['get', 'github.com/google/go-cmp@v0.7.0'], TEAM_GO);
  assert.is(got.exitCode, 0, `${name} (${version}): go get: ${got.all}`);
  edits.set('go.mod', 'github.com/google/go-cmp v0.7.0');
  edits.set('go.sum', 'github.com/google/go-cmp v0.7.0 h1:');
  const route = '\tmux.HandleFunc("GET /api/v1/orders", Orders)\n';
  const routes = existsSync(join(dir, 'internal/api/routes.go')) ? 'internal/api/routes.go' : 'internal/api/api.go';
  if (routes.endsWith('routes.go')) insertAfter(dir, routes, /^func RegisterRoutes\(mux \*http\.ServeMux\) \{\n/m, route);
  else insertAfter(dir, routes, /^\tmux\.HandleFunc\("GET \/api\/v1\/hello", Hello\)\n/m, route);
  edits.set(routes, route.trim());
  write(
    dir,
    'internal/api/orders.go',
    'package api\n\nimport "net/http"\n\n// Orders lists the orders.\nfunc Orders(w http.ResponseWriter, _ *http.Request) {\n\tw.Header().Set("Content-Type", "application/json")\n\t_, _ = w.Write([]byte("[]\\n"))\n}\n',
  );
  write(
    dir,
    'internal/api/orders_test.go',
    'package api\n\nimport (\n\t"net/http"\n\t"net/http/httptest"\n\t"testing"\n)\n\nfunc TestOrders(t *testing.T) {\n\trec := httptest.NewRecorder()\n\tOrders(rec, httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil))\n\tif rec.Code != http.StatusOK || rec.Body.String() != "[]\\n" {\n\t\tt.Fatalf("got %d %q", rec.Code, rec.Body.String())\n\t}\n}\n',
  );
  edits.set('internal/api/orders.go', 'func Orders(');
  edits.set('internal/api/orders_test.go', 'func TestOrders(');
  commitAll(dir, 'orders: the route, its handler and test; go-cmp for diffs');

  // 2. Values, a Makefile variable, a README section.
  const prod = `charts/${name}/values-prod.yaml`;
  write(
    dir,
    prod,
    /^replicaCount: \d+$/m.test(read(dir, prod))
      ? read(dir, prod).replace(/^replicaCount: \d+$/m, 'replicaCount: 5')
      : `${read(dir, prod)}replicaCount: 5\n`,
  );
  edits.set(prod, 'replicaCount: 5');
  write(
    dir,
    'Makefile',
    `${read(dir, 'Makefile')}\n# Ours: the integration suite's tag, and a target of ours.\nTEAM_TAGS ?= integration\n\n.PHONY: team-smoke\nteam-smoke:\n\t@echo smoke $(TEAM_TAGS)\n`,
  );
  edits.set('Makefile', 'TEAM_TAGS ?= integration\n\n.PHONY: team-smoke\nteam-smoke:\n');
  // A chart template of ours to edit: a comment Helm drops when it renders.
  const svcTemplate = `charts/${name}/templates/service.yaml`;
  write(dir, svcTemplate, `{{- /* Ours: reviewed by the platform team (team ${i}). */}}\n${read(dir, svcTemplate)}`);
  edits.set(svcTemplate, `Ours: reviewed by the platform team (team ${i}).`);
  write(dir, 'README.md', `${read(dir, 'README.md')}\n## Runbook of ${name}\n\nPage the on-call of team ${i}.\n`);
  edits.set('README.md', `Page the on-call of team ${i}.`);
  commitAll(dir, 'values, Makefile, a chart template and README');

  // 3. The Dockerfile, the CI file, a deleted file, and the line both sides change.
  const r = await renders(version, flags);
  const docker = read(dir, 'Dockerfile');
  write(dir, 'Dockerfile', docker.replace(/^FROM /m, `# Ours: reviewed by security (team ${i}).\nFROM `));
  edits.set('Dockerfile', `# Ours: reviewed by security (team ${i}).`);
  const ci = ciPath(args);
  const job =
    ci === '.gitlab-ci.yml'
      ? `\n# Ours: a smoke job.\nsmoke-${i}:\n  stage: check\n  image: $GO_IMAGE\n  script:\n    - echo "smoke ${i}"\n`
      : `\n  # Ours: a smoke job.\n  smoke-${i}:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: echo "smoke ${i}"\n`;
  write(dir, ci, read(dir, ci).replace(/\n*$/, '\n') + job);
  edits.set(ci, `smoke-${i}:`);
  const removed = existsSync(join(dir, 'compose.yaml')) ? ['compose.yaml'] : [];
  for (const p of removed) git(dir, ['rm', '--quiet', p]);
  // The designed conflict: the first file in turn with a line this update changes.
  const order = [...CONFLICT_IN.slice(i % CONFLICT_IN.length), ...CONFLICT_IN.slice(0, i % CONFLICT_IN.length)].map((p) =>
    p === 'CI' ? ci : p,
  );
  const conflictIn = order.find((p) => changedLine(r, p) !== undefined);
  assert.ok(conflictIn, `${name}: no line changes between ${version} and ${GENERATOR_VERSION} in ${order.join(', ')}`);
  const line = changedLine(r, conflictIn)!;
  const mine = `${line} team-${i}`;
  assert.ok(read(dir, conflictIn).includes(`${line}\n`), `${conflictIn} has ${JSON.stringify(line)}`);
  write(dir, conflictIn, read(dir, conflictIn).replace(`${line}\n`, `${mine}\n`));
  commitAll(dir, 'Dockerfile, CI, no compose, and our take on one line');

  const origin = join(root, `${name}.git`);
  git(root, ['clone', '--quiet', '--bare', dir, origin]);
  return { name, version, args, clone: i % 2 === 0 ? 'shallow' : 'no-local', edits, conflictIn, removed, origin };
}

/** The bot: a fresh clone, `update --bot`, then the checks a pull request's CI would run. */
async function botUpdate(svc: Service): Promise<Row> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-trial-bot-')), svc.name);
  git(tmpdir(), ['clone', '--quiet', ...(svc.clone === 'shallow' ? ['--depth', '1'] : ['--no-local']), `file://${svc.origin}`, dir]);
  const t0 = Date.now();
  const r = await runCli(['update', '--bot', '--json'], { cwd: dir, env });
  const ms = Date.now() - t0;
  const json = JSON.parse(r.stdout) as {
    conflicts: string[];
    noBase: string[];
    files: { path: string; action: string; reason?: string }[];
    warnings: string[];
  };
  assert.is(r.exitCode, 3, `${svc.name}: update exit ${r.exitCode} (3: conflicts for the reviewer): ${r.stderr}`);
  const why = (p: string) => `${p}: ${json.files.find((f) => f.path === p)?.reason ?? ''}`;
  const expected = [svc.conflictIn];
  assert.equal(json.conflicts, expected, `${svc.name} (${svc.version}, ${svc.clone}): conflicts ${json.conflicts.map(why).join('; ')}`);
  for (const p of ['go.mod', 'go.sum', 'internal/api/routes.go', 'internal/api/api.go'])
    assert.not.ok(json.conflicts.includes(p), `${svc.name}: ${p} in conflict`);
  assert.equal(json.noBase, [], `${svc.name}: files without a merge base`);
  assert.not.ok(
    existsSync(join(dir, '.go-k8s-service', 'new')),
    `${svc.name}: files put aside: ${existsSync(join(dir, '.go-k8s-service', 'new')) ? readdirSync(join(dir, '.go-k8s-service', 'new'), { recursive: true }).join(', ') : ''}`,
  );
  const record = readRecord(dir);
  assert.is(record.version, GENERATOR_VERSION);
  assert.ok(record.templatesDigest, 'the record names the templates');
  for (const p of svc.removed) {
    assert.not.ok(existsSync(join(dir, p)), `${svc.name}: ${p} came back`);
    assert.ok(record.removed?.includes(p), `${svc.name}: ${p} not recorded as removed`);
  }
  // Every team edit kept (in the conflict file: inside the markers, for the reviewer).
  for (const [path, text] of svc.edits) assert.ok(read(dir, path).includes(text), `${svc.name}: the edit of ${path} is lost`);
  // Markers in the designed file only.
  const marked = git(dir, ['grep', '-l', '-E', '^<<<<<<< ', '--', '.']).trim().split('\n').filter(Boolean);
  assert.equal(marked.sort(), expected, `${svc.name}: files with markers`);

  // The pull request's checks, on the tree as the bot left it.
  const build = await go(dir, ['build', './...'], { GOPROXY: 'off' });
  assert.is(build.exitCode, 0, `${svc.name}: go build:\n${build.all}`);
  const vet = await go(dir, ['vet', './...'], { GOPROXY: 'off' });
  assert.is(vet.exitCode, 0, `${svc.name}: go vet:\n${vet.all}`);
  const [buildOk, vetOk] = ['ok', 'ok'];
  const helm = await tools.helmLint(join(dir, 'charts', svc.name), [join(dir, 'charts', svc.name, 'values-prod.yaml')]);
  assert.ok(helm.ok, `${svc.name}: helm lint --strict:\n${helm.output}`);
  const ci = ciPath(svc.args);
  let ciCheck = 'conflict';
  if (svc.conflictIn !== ci) {
    const v = ci === '.gitlab-ci.yml' ? await tools.gitlabCiValidate(join(dir, ci)) : await tools.actionlint(join(dir, ci));
    assert.ok(v.ok, `${svc.name}: ${ci}:\n${v.output}`);
    ciCheck = ci === '.gitlab-ci.yml' ? 'schema ok' : 'actionlint ok';
  }
  return {
    repo: svc.name,
    from: svc.version,
    clone: svc.clone,
    ci: ci === '.gitlab-ci.yml' ? 'gitlab' : 'github',
    designed: svc.conflictIn,
    conflicts: json.conflicts.join(' '),
    edits: `${svc.edits.size}/${svc.edits.size}`,
    build: buildOk,
    vet: vetOk,
    helm: 'ok',
    ciCheck,
    ms,
  };
}

const mine = shard();
for (let i = 0; i < FLEET; i++) {
  if (!mine()) continue;
  test(`trial repo ${i}: made by ${RELEASES[i % RELEASES.length]![0]}, edited by its team, updated by the bot: edits kept, one designed conflict, builds, vets, lints`, async () => {
    const svc = await makeService(i);
    rows.push(await botUpdate(svc));
  });
}

test.after(() => {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!) as (keyof Row)[];
  const table = [
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => String(r[c])).join(' | ')} |`),
  ];
  console.log(`fleet trial (${rows.length} repos of this shard, update --bot to ${GENERATOR_VERSION}):\n${table.join('\n')}`);
  writeFileSync(join(env.XDG_CACHE_HOME, 'trial.md'), `${table.join('\n')}\n`);
});

test.run();
