// The output-file table and the template tree agree one to one, and every answer
// combination yields a consistent set of paths.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FILES, GROUPS, filesFor, outputPath, templatePath } from '../../generators/model/files.js';
import { renderAll } from '../../generators/render/render.js';
import { answersFor } from '../support/generate.js';

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [relative(templatesDir, p)];
  });
}

test('every row of the table has a template, and every template has a row', () => {
  const templates = new Set(walk(templatesDir));
  // go.mod and go.sum are rendered from data (render/go-pins.json), not from templates.
  const used = new Set(FILES.filter((f) => f.engine !== 'pins').map(templatePath));
  for (const t of used) assert.ok(templates.has(t), `no template ${t}`);
  for (const t of templates) assert.ok(used.has(t), `template ${t} is in no row of generators/model/files.ts`);
});

test('paths are unique and groups known', () => {
  const paths = FILES.map((f) => f.path);
  assert.is(new Set(paths).size, paths.length);
  for (const f of FILES) assert.ok((GROUPS as readonly string[]).includes(f.group));
});

test('template paths map dots and the service name', () => {
  const row = FILES.find((f) => f.path === '.github/workflows/ci.yml')!;
  assert.is(templatePath(row), 'dot_github/workflows/ci.yml.hbs');
  const main = FILES.find((f) => f.path === 'cmd/<name>/main.go')!;
  assert.is(templatePath(main), 'cmd/__name__/main.go.hbs');
  assert.is(outputPath(main, { name: 'orders' }), 'cmd/orders/main.go');
});

test('the CI file follows the ci answer; metrics-only files follow metrics', () => {
  const has = (a: Parameters<typeof filesFor>[0], p: string) => filesFor(a).some((f) => outputPath(f, a) === p);
  assert.ok(has(answersFor({ ci: 'github' }), '.github/workflows/ci.yml'));
  assert.not.ok(has(answersFor({ ci: 'github' }), '.gitlab-ci.yml'));
  assert.ok(has(answersFor({ ci: 'gitlab' }), '.gitlab-ci.yml'));
  const none = answersFor({ ci: 'none' });
  assert.not.ok(has(none, '.gitlab-ci.yml') || has(none, '.github/workflows/ci.yml'));
  assert.ok(has(answersFor({ metrics: true }), 'charts/demo-svc/templates/servicemonitor.yaml'));
  assert.not.ok(has(answersFor({ metrics: false }), 'charts/demo-svc/templates/servicemonitor.yaml'));
});

test('database files follow the database answer; its metrics and query tracer only where they have something to do', () => {
  const paths = (a: Parameters<typeof filesFor>[0]) => filesFor(a).map((f) => outputPath(f, a));
  const none = paths(answersFor());
  assert.is(answersFor().database, 'none');
  assert.not.ok(
    none.some((p) => /^internal\/database\/|\/migrate\.go$/.test(p)),
    none.join(' '),
  );
  const pg = paths(answersFor({ database: 'postgres' }));
  for (const p of [
    'cmd/demo-svc/migrate.go',
    'internal/app/database.go',
    'internal/config/database.go',
    'internal/database/database.go',
    'internal/database/migrate.go',
    'internal/database/migrations/00001_create_notes.sql',
    'internal/api/notes.go',
    'internal/api/notes_test.go',
  ]) {
    assert.ok(pg.includes(p), `${p} missing with --database postgres`);
  }
  assert.ok(pg.includes('internal/database/metrics.go'));
  const bare = paths(answersFor({ database: 'postgres', metrics: false, tracing: false }));
  assert.not.ok(
    bare.includes('internal/database/metrics.go') ||
      bare.includes('internal/database/tracing.go') ||
      bare.includes('internal/client/metrics.go'),
  );
  assert.ok(paths(answersFor({ database: 'postgres', metrics: false, tracing: true })).includes('internal/database/tracing.go'));
  assert.not.ok(paths(answersFor({ database: 'postgres', metrics: true, tracing: false })).includes('internal/database/tracing.go'));
  // An applied migration must never change under the team: regen leaves it alone.
  const migration = FILES.find((f) => f.path.endsWith('00001_create_notes.sql'))!;
  assert.is(migration.lifecycle, 'once');
});

test('each option is files of its own: tracing and metrics are wired in by internal/app/tracing.go and metrics.go, app.go has no option inside', () => {
  const render = (a: Parameters<typeof filesFor>[0]) => new Map(renderAll(a).map((f) => [f.path, f.content]));
  const bare = render(answersFor({ metrics: false, tracing: false }));
  const all = render(answersFor({ metrics: true, tracing: true, database: 'postgres', automaxprocs: true }));
  assert.ok(all.has('internal/app/metrics.go') && all.has('internal/app/tracing.go') && all.has('internal/app/database.go'));
  assert.not.ok(bare.has('internal/app/metrics.go') || bare.has('internal/app/tracing.go') || bare.has('internal/app/database.go'));
  // The same app.go whatever the options: they live in their files, options.go lists them.
  assert.is(
    bare.get('internal/app/app.go')!.replace(/^\/\/ {2}5\..*\n\/\/ .*\n/m, ''),
    all.get('internal/app/app.go')!.replace(/^\/\/ {2}5\..*\n\/\/ .*\n/m, ''),
  );
  for (const [path, text] of [...bare, ...all]) {
    if (!path.endsWith('.go')) continue;
    assert.not.match(text, /adminUsed|bench\/gomaxprocs/, `${path} keeps the residue of an option`);
  }
  // One place lists every route, public and admin; the team's own routes stay in its file.
  const routes = all.get('internal/app/routes.go')!;
  for (const r of [
    '"GET /healthz"',
    '"GET /ready"',
    'api.Register(s.mux)',
    'api.RegisterNotes(',
    '"GET /metrics"',
    'profiling.Register(s.handleAdmin)',
  ])
    assert.ok(routes.includes(r), `routes.go lacks ${r}`);
  assert.is(FILES.find((f) => f.path === 'internal/api/routes.go')!.lifecycle, 'once');
});

test('automaxprocs is compiled in and required by go.mod (the default), and left out entirely with --no-automaxprocs; the outbound client is in every service', () => {
  for (const database of ['none', 'postgres'] as const) {
    for (const metrics of [true, false]) {
      const off = new Map(renderAll(answersFor({ database, metrics, automaxprocs: false })).map((f) => [f.path, f.content]));
      const on = new Map(renderAll(answersFor({ database, metrics })).map((f) => [f.path, f.content]));
      assert.not.match(off.get('go.mod')!, /go\.uber\.org\/automaxprocs/);
      assert.not.match(off.get('go.sum')!, /go\.uber\.org\/automaxprocs/);
      assert.not.ok([...off.values()].some((t) => t.includes('go.uber.org/automaxprocs/maxprocs')));
      assert.match(on.get('go.mod')!, /\tgo\.uber\.org\/automaxprocs v\S+\n/);
      assert.match(on.get('internal/app/automaxprocs.go')!, /maxprocs\.Set/);
      for (const files of [off, on]) {
        assert.ok(
          files.has('internal/client/client.go') && files.has('internal/client/client_test.go'),
          `client with database=${database}`,
        );
        assert.is(files.has('internal/client/metrics.go'), metrics);
      }
    }
  }
});

test("nothing that only the generator's own tests use ships in a generated repo", () => {
  for (const a of [answersFor(), answersFor({ tracing: true, metrics: false })]) {
    for (const f of renderAll(a)) {
      assert.not.match(f.path, /e2e/, `${f.path} ships`);
      if (f.path.endsWith('.go')) assert.not.match(f.content, /^\/\/go:build.*\be2e\b/m, `${f.path} has an e2e build tag`);
    }
  }
});

test.run();
