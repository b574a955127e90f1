// --database postgres in CI: the test job of GitHub Actions and of GitLab CI starts a PostgreSQL
// service and points TEST_DATABASE_URL at it, so `make test` runs the database tests instead of
// skipping them. Proven by setting up a real PostgreSQL 15 as each CI file declares its service
// (user, password, database), then running the generated database tests with the CI file's own
// TEST_DATABASE_URL, its host and port moved to that server. actionlint and GitLab's schema judge
// the files in supply-chain.test.ts.
// test-budget: 600 s (two go test runs of a repo with pgx and goose)
import { execa } from 'execa';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { generate } from '../support/generate.js';
import { go } from '../support/go.js';
import { startCluster, type Cluster } from '../support/postgres.js';

interface Declared {
  /** The host name the job reaches the service by. */
  host: string;
  user: string;
  password: string;
  database: string;
  testDatabaseUrl: string;
}

function fromGitHub(dir: string): Declared {
  const job = parseYaml(readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8')).jobs.test;
  assert.ok(job.services, 'the test job declares services');
  const [host, service] = Object.entries(job.services as Record<string, { image: string; env: Record<string, string> }>)[0]!;
  assert.match(service.image, /^postgres:15-alpine@sha256:[0-9a-f]{64}$/);
  const steps = (job.steps as { run?: string }[]).filter((s) => s.run);
  assert.equal(
    steps.map((s) => s.run),
    ['make test'],
    'the job runs make test, nothing else',
  );
  return {
    host,
    user: service.env.POSTGRES_USER!,
    password: service.env.POSTGRES_PASSWORD!,
    database: service.env.POSTGRES_DB!,
    testDatabaseUrl: job.env?.TEST_DATABASE_URL,
  };
}

function fromGitLab(dir: string): Declared {
  const ci = parseYaml(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
  const job = ci.test;
  assert.ok(job.services, 'the test job declares services');
  const service = (job.services as { name: string; alias: string }[])[0]!;
  const image = service.name.replace(/^\$(\w+)$/, (_, v: string) => ci.variables[v]);
  assert.match(image, /^postgres:15-alpine@sha256:[0-9a-f]{64}$/);
  assert.equal(job.script, ['make test']);
  // GitLab hands the job's variables to its services too.
  const v = job.variables as Record<string, string>;
  return {
    host: service.alias,
    user: v.POSTGRES_USER!,
    password: v.POSTGRES_PASSWORD!,
    database: v.POSTGRES_DB!,
    testDatabaseUrl: v.TEST_DATABASE_URL!,
  };
}

let cluster: Cluster;
const repos: string[] = [];
test.before(async () => {
  cluster = await startCluster();
  await cluster.start();
});
test.after(async () => {
  await cluster?.destroy();
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

/** Makes the role and database the CI file's service would create, on the real server. */
async function provision(d: Declared): Promise<void> {
  const psql = (sql: string) => execa('psql', [cluster.url, '-v', 'ON_ERROR_STOP=1', '-tAc', sql]);
  const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;
  if ((await psql(`SELECT 1 FROM pg_roles WHERE rolname = ${quoted(d.user)}`)).stdout.trim() !== '1') {
    await psql(`CREATE ROLE "${d.user}" LOGIN PASSWORD ${quoted(d.password)}`);
  }
  if ((await psql(`SELECT 1 FROM pg_database WHERE datname = ${quoted(d.database)}`)).stdout.trim() !== '1') {
    await psql(`CREATE DATABASE "${d.database}" OWNER "${d.user}"`);
  }
}

for (const [ci, read] of [
  ['github', fromGitHub],
  ['gitlab', fromGitLab],
] as const) {
  test(`${ci}: make test runs the database tests against the job's own PostgreSQL service`, async () => {
    const dir = generate({ database: 'postgres', ci }, `cgks-database-ci-${ci}-`);
    repos.push(dir);
    const d = read(dir);
    const url = new URL(d.testDatabaseUrl);
    assert.is(url.hostname, d.host, 'TEST_DATABASE_URL names the service');
    assert.is(url.port || '5432', '5432');
    assert.is(decodeURIComponent(url.username), d.user);
    assert.is(decodeURIComponent(url.password), d.password);
    assert.is(url.pathname.slice(1), d.database);

    await provision(d);
    url.hostname = '127.0.0.1';
    url.port = String(cluster.port);
    const r = await go(dir, ['test', '-count=1', '-v', './internal/database/'], { TEST_DATABASE_URL: url.toString() });
    assert.is(r.exitCode, 0, r.all);
    assert.match(r.all, /--- PASS: TestWithServer/);
    assert.not.match(r.all, /--- SKIP/);
  });
}

test('without a database, the test jobs start no service', () => {
  for (const ci of ['github', 'gitlab'] as const) {
    const dir = generate({ ci }, `cgks-database-ci-none-${ci}-`);
    repos.push(dir);
    const text = readFileSync(join(dir, ci === 'github' ? '.github/workflows/ci.yml' : '.gitlab-ci.yml'), 'utf8');
    const job = ci === 'github' ? parseYaml(text).jobs.test : parseYaml(text).test;
    assert.is(job.services, undefined, ci);
    assert.not.match(text, /postgres/i, ci);
  }
});

test.run();
