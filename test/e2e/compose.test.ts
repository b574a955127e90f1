// compose.yaml: loaded with compose-go (the loader Docker Compose uses, schema validation on) for
// every answer that changes it, with the generated .env.example as env file, and the loaded
// project read back: the image built from the repo's Dockerfile, the port mapping, the
// restrictions that match the chart (read-only root, tmpfs /tmp, no capabilities, no new
// privileges, user 65532), the healthcheck through the binary, the settings of .env.example
// with LOG_FORMAT=console, a stop grace period that covers the shutdown budget, and the chart's
// resource limits.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { answersFor, generate } from '../support/generate.js';
import { filesFor, outputPath } from '../../generators/model/files.js';
import { renderAll } from '../../generators/render/render.js';
import { composeValidate, ensureTools, toolPath } from '../support/tools.js';
import { GO_ENV } from '../support/go.js';
import type { Answers } from '../../generators/model/questions.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-compose-test-'));
const generated: string[] = [];
/** The whole repo rendered for these answers: a generator that cannot render it fails this test too. */
function repoFor(overrides: Partial<Answers>): string {
  const dir = generate(overrides, 'cgks-compose-repo-');
  generated.push(dir);
  return dir;
}

/** `composecheck --env-file ENV --print FILE`: the project as Docker Compose would run it. */
async function loadProject(file: string, envFile: string): Promise<any> {
  await ensureTools(['composecheck']);
  const r = await execa(toolPath('composecheck'), ['--env-file', envFile, '--print', file], {
    reject: false,
    stdin: 'ignore',
    env: GO_ENV,
  });
  assert.is(r.exitCode, 0, `composecheck --print ${file}: ${r.stderr}`);
  return parseYaml(r.stdout);
}

/** The uncommented NAME=value lines of an env file. */
function envEntries(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(path, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

const seconds = (d: string): number => {
  const m = /^(\d+)(ms|s|m)$/.exec(d);
  assert.ok(m, `unexpected duration ${d}`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[m[2]!]!;
};

/** A Kubernetes quantity of bytes (128Mi) as a number. */
const bytes = (q: string): number => {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  assert.ok(m, `unexpected quantity ${q}`);
  return Number(m[1]) * ({ '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 } as Record<string, number>)[m[2] ?? '']!;
};

test.before(async () => {
  await ensureTools(['composecheck']);
});

test.after(() => {
  for (const dir of [scratch, ...generated]) rmSync(dir, { recursive: true, force: true });
});

// Every answer that changes compose.yaml (name, port, tracing), alone and together.
const cases: [string, Partial<Answers>][] = [
  ['default answers', {}],
  ['port 9090', { port: 9090 }],
  ['another name', { name: 'orders-api' }],
  ['tracing on', { tracing: true }],
  [
    'all of them, metrics off, scratch, no CI',
    { name: 'orders-api', port: 9090, tracing: true, metrics: false, baseImage: 'scratch', ci: 'none' },
  ],
  ['postgres', { database: 'postgres' }],
  ['postgres with another name and port, tracing on', { name: 'orders-api', port: 9090, tracing: true, database: 'postgres' }],
];

for (const [label, overrides] of cases) {
  test(`${label}: compose.yaml loads and validates, and the project is what it should be`, async () => {
    const answers = answersFor(overrides);
    const { name, port } = answers;
    const dir = repoFor(overrides);
    const file = join(dir, 'compose.yaml');
    const envExample = join(dir, '.env.example');
    assert.ok(existsSync(envExample), '.env.example was not generated');

    const valid = await composeValidate(file, envExample);
    assert.ok(valid.ok, valid.output);

    const project = await loadProject(file, envExample);
    assert.is(project.name, name);
    const postgres = answers.database === 'postgres';
    assert.equal(Object.keys(project.services).sort(), postgres ? [name, 'migrate', 'postgres'].sort() : [name]);
    const svc = project.services[name];

    // Built from the repo's own Dockerfile.
    assert.is(svc.build.context, dir);
    assert.is(svc.build.dockerfile, 'Dockerfile');
    assert.ok(existsSync(join(dir, svc.build.dockerfile)));
    assert.is(svc.pull_policy, 'build');

    // The port, on this machine only.
    assert.equal(svc.ports, [{ mode: 'ingress', host_ip: '127.0.0.1', target: port, published: String(port), protocol: 'tcp' }]);

    // The same restrictions as the chart's securityContext.
    assert.is(svc.read_only, true);
    assert.equal(svc.cap_drop, ['ALL']);
    assert.equal(svc.security_opt, ['no-new-privileges:true']);
    assert.is(String(svc.user), '65532:65532');
    assert.equal(svc.tmpfs, ['/tmp:size=64m']);
    assert.is(svc.privileged, undefined);

    // The healthcheck runs the binary where the Dockerfile puts it, in exec form.
    const binary = `/usr/local/bin/${name}`;
    assert.equal(svc.healthcheck.test, ['CMD', binary, 'healthcheck']);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, new RegExp(`^COPY --from=build /out/${name} ${binary}$`, 'm'));
    assert.equal(JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!), [binary]);

    // Every setting of .env.example, with LOG_FORMAT=console and the mapped PORT.
    const env = svc.environment as Record<string, string>;
    const example = envEntries(envExample);
    assert.ok(example.size >= 5, `.env.example has only ${example.size} settings`);
    assert.is(example.get('PORT'), String(port));
    // Inside compose the database is the postgres service, not this machine.
    const composeUrl = 'postgres://app:app@postgres:5432/app?sslmode=disable';
    for (const [k, v] of example) {
      const want = k === 'LOG_FORMAT' ? 'console' : k === 'DATABASE_URL' ? composeUrl : v;
      assert.is(env[k], want, `environment ${k}`);
    }
    assert.is(env.LOG_FORMAT, 'console');
    assert.is(env.PORT, String(port));
    // Tracing stays off until someone sets an endpoint; the file shows where.
    assert.is(env.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    const text = readFileSync(file, 'utf8');
    assert.is(/^\s*# OTEL_EXPORTER_OTLP_ENDPOINT: /m.test(text), answers.tracing, 'commented OTEL endpoint iff tracing');

    if (postgres) {
      // The env file shows the database from this machine, commented: unset is the default.
      assert.match(readFileSync(envExample, 'utf8'), /^# DATABASE_URL=postgres:\/\/app:app@127\.0\.0\.1:5432\/app\?sslmode=disable$/m);
      // The service waits for a healthy database and for the migrations to have run.
      assert.equal(svc.depends_on, {
        postgres: { condition: 'service_healthy', required: true },
        migrate: { condition: 'service_completed_successfully', required: true },
      });
      const migrate = project.services.migrate;
      assert.equal(migrate.command, ['migrate', 'up']);
      assert.is(migrate.image, svc.image, "the migrations run from the service's own image");
      assert.is(migrate.environment.DATABASE_URL, composeUrl);
      assert.equal(migrate.depends_on, { postgres: { condition: 'service_healthy', required: true } });
      assert.is(migrate.read_only, true);
      const db = project.services.postgres;
      assert.match(db.image, /^postgres:15/);
      assert.ok(db.healthcheck?.test?.includes('pg_isready'), JSON.stringify(db.healthcheck));
      assert.equal(
        db.volumes.map((v: { type: string; source: string; target: string }) => [v.type, v.source, v.target]),
        [['volume', 'pgdata', '/var/lib/postgresql/data']],
      );
      assert.ok(project.volumes?.pgdata, 'the named volume is declared');
      // The database URL of the env file and of compose agree on user, password and database.
      assert.is(new URL(composeUrl).pathname, `/${db.environment.POSTGRES_DB}`);
      assert.is(new URL(composeUrl).username, db.environment.POSTGRES_USER);
      assert.is(new URL(composeUrl).password, db.environment.POSTGRES_PASSWORD);
    } else {
      assert.not.ok([...example.keys()].some((k) => k.startsWith('DATABASE_')));
    }

    // docker stop waits for the whole shutdown budget before SIGKILL.
    const budget = seconds(env.SHUTDOWN_DELAY!) + seconds(env.SHUTDOWN_TIMEOUT!);
    assert.ok(seconds(svc.stop_grace_period) > budget, `stop_grace_period ${svc.stop_grace_period} <= ${budget}s`);

    // The chart's limits, so GOMAXPROCS and GOMEMLIMIT come out as in the cluster.
    const chartValues = parseYaml(readFileSync(join(dir, 'charts', name, 'values.yaml'), 'utf8'));
    const limits = svc.deploy.resources.limits;
    assert.is(Number(limits.memory), bytes(chartValues.resources.limits.memory));
    assert.is(Number(limits.cpus), Number(chartValues.resources.limits.cpu));
  });
}

test('compose.yaml does not depend on the base image, metrics or the CI answer', () => {
  const compose = (o: Partial<Answers>) => {
    const a = answersFor(o);
    const row = filesFor(a).find((f) => outputPath(f, a) === 'compose.yaml');
    assert.ok(row, 'compose.yaml is not in the file table');
    assert.is(row.group, 'dockerfile');
    assert.is(row.lifecycle, 'regenerable');
    return renderAll(a, [row])[0]!.content;
  };
  const base = compose({});
  for (const o of [
    { baseImage: 'scratch' },
    { baseImage: 'alpine' },
    { metrics: false },
    { ci: 'gitlab' },
    { ci: 'none' },
  ] as Partial<Answers>[]) {
    assert.is(compose(o), base, JSON.stringify(o));
  }
  for (const o of [{ port: 9090 }, { name: 'orders-api' }, { tracing: true }, { database: 'postgres' }] as Partial<Answers>[]) {
    assert.is.not(compose(o), base, `${JSON.stringify(o)} should change compose.yaml`);
  }
});

// ---- the loader is not vacuous -------------------------------------------------------------

test('composecheck rejects an unknown key and a missing .env.example (negative controls)', async () => {
  const dir = repoFor({});
  const bad = mkdtempSync(join(scratch, 'bad-'));
  copyFileSync(join(dir, '.env.example'), join(bad, '.env.example'));
  writeFileSync(join(bad, 'compose.yaml'), readFileSync(join(dir, 'compose.yaml'), 'utf8').replace('read_only: true', 'read_onyl: true'));
  const typo = await composeValidate(join(bad, 'compose.yaml'), join(bad, '.env.example'));
  assert.not.ok(typo.ok, 'composecheck accepted read_onyl');
  assert.match(typo.output, /read_onyl/);

  const noEnv = mkdtempSync(join(scratch, 'noenv-'));
  copyFileSync(join(dir, 'compose.yaml'), join(noEnv, 'compose.yaml'));
  const missing = await composeValidate(join(noEnv, 'compose.yaml'));
  assert.not.ok(missing.ok, 'composecheck accepted a missing required env_file');
  assert.match(missing.output, /\.env\.example/);
});

test.run();
