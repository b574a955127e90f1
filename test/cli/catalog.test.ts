// catalog-info.yaml: every generated repo describes itself to the Backstage catalog (a
// Component with owner, system and lifecycle from the answers, source annotations from the
// module path, the generator version). Backstage's own validators (@backstage/catalog-model,
// as the catalog runs them) judge the file for several option combinations, and the
// Software Template example of docs/fleets.md is judged by the scaffolder's Template v1beta3 validator.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  SchemaValidEntityPolicy,
  type Entity,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { assertUsageError, runCli } from '../support/cli.js';
import { otherVersion } from '../support/regen/generators.js';
import { commitAll, git, newRepo, read, readRecord, writeRecord } from '../support/regen/repo.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';

/** The policies the Backstage catalog applies to every entity it reads, then the kind's own validator. */
const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

async function assertValidComponent(text: string): Promise<Entity> {
  const docs = parseAllDocuments(text);
  assert.is(docs.length, 1, 'one entity');
  assert.equal(docs[0]!.errors, []);
  const entity = docs[0]!.toJS() as Entity;
  const enforced = await policies.enforce(structuredClone(entity));
  assert.ok(enforced, 'the catalog policies accept it');
  assert.is(await componentEntityV1alpha1Validator.check(entity), true);
  return entity;
}

const combos: {
  args: string[];
  expect: { owner: string; system?: string; lifecycle: string; annotations: Record<string, string>; links: string[] };
}[] = [
  {
    args: [],
    expect: {
      owner: 'group:default/example',
      lifecycle: 'experimental',
      annotations: {
        'github.com/project-slug': 'example/orders',
        'backstage.io/source-location': 'url:https://github.com/example/orders/',
      },
      links: ['https://github.com/example/orders', 'https://github.com/example/orders/actions'],
    },
  },
  {
    args: [
      '--module',
      'gitlab.com/acme/shop/orders',
      '--ci',
      'gitlab',
      '--owner',
      'user:jane.doe',
      '--system',
      'system:commerce/shop',
      '--lifecycle',
      'production',
      '--description',
      'Takes "orders": #1 {{x}}',
    ],
    expect: {
      owner: 'user:jane.doe',
      system: 'system:commerce/shop',
      lifecycle: 'production',
      annotations: {
        'gitlab.com/project-slug': 'acme/shop/orders',
        'backstage.io/source-location': 'url:https://gitlab.com/acme/shop/orders/',
      },
      links: ['https://gitlab.com/acme/shop/orders', 'https://gitlab.com/acme/shop/orders/-/pipelines'],
    },
  },
  {
    // A module in a directory of a monorepo, with a major version suffix; no CI file.
    args: ['--module', 'github.com/Acme/mono/services/orders/v2', '--ci', 'none', '--system', 'payments', '--lifecycle', 'deprecated'],
    expect: {
      owner: 'group:default/acme',
      system: 'payments',
      lifecycle: 'deprecated',
      annotations: {
        'github.com/project-slug': 'Acme/mono',
        'backstage.io/source-location': 'url:https://github.com/Acme/mono/tree/HEAD/services/orders/',
      },
      links: ['https://github.com/Acme/mono'],
    },
  },
  {
    // Bitbucket Cloud: a workspace and a repository; the source location is its /src/HEAD/ tree.
    args: ['--module', 'bitbucket.org/acme/orders', '--ci', 'none'],
    expect: {
      owner: 'group:default/acme',
      lifecycle: 'experimental',
      annotations: { 'backstage.io/source-location': 'url:https://bitbucket.org/acme/orders/src/HEAD/' },
      links: ['https://bitbucket.org/acme/orders'],
    },
  },
  {
    // Not a code host this knows: no source annotations or links, an owner from the domain.
    args: ['--module', 'go.acme.example/orders', '--owner', 'platform-team', '--base-image', 'scratch', '--no-metrics'],
    expect: { owner: 'platform-team', lifecycle: 'experimental', annotations: {}, links: [] },
  },
];

for (const { args, expect } of combos) {
  test(`catalog-info.yaml is a valid Backstage Component (${args.join(' ') || 'defaults'})`, async () => {
    const dir = await newRepo({ args });
    const entity = await assertValidComponent(read(dir, 'catalog-info.yaml'));
    assert.is(entity.kind, 'Component');
    assert.is(entity.metadata.name, 'orders');
    assert.is(entity.metadata.description, readRecord(dir).answers.description);
    const spec = entity.spec as Record<string, unknown>;
    assert.is(spec.type, 'service');
    assert.is(spec.owner, expect.owner);
    assert.is(spec.lifecycle, expect.lifecycle);
    assert.is(spec.system, expect.system);
    // References Backstage can resolve: the owner a group or user, the system a system.
    assert.ok(['group', 'user'].includes(parseEntityRef(expect.owner, { defaultKind: 'group', defaultNamespace: 'default' }).kind));
    if (expect.system) assert.is(parseEntityRef(expect.system, { defaultKind: 'system', defaultNamespace: 'default' }).kind, 'system');
    const annotations = entity.metadata.annotations!;
    assert.is(annotations['create-go-k8s-service/generator-version'], GENERATOR_VERSION);
    assert.is(annotations['backstage.io/kubernetes-label-selector'], 'app.kubernetes.io/name=orders');
    for (const [k, v] of Object.entries(expect.annotations)) assert.is(annotations[k], v, k);
    const source = Object.keys(annotations).filter((k) => /project-slug|source-location/.test(k));
    assert.equal(source.sort(), Object.keys(expect.annotations).sort());
    assert.equal(
      (entity.metadata.links ?? []).map((l) => l.url),
      expect.links,
    );
    // The chart really labels its pods with what the selector names.
    const helpers = read(dir, 'charts/orders/templates/_helpers.tpl');
    assert.match(helpers, /app\.kubernetes\.io\/name: \{\{ include "orders\.name" \. \}\}/);
    const record = readRecord(dir);
    assert.ok('catalog-info.yaml' in record.files, 'recorded, so regen and update keep it');
    assert.is(record.answers.owner, expect.owner);
    assert.is(record.answers.lifecycle, expect.lifecycle);
  });
}

for (const [flag, value, message] of [
  ['--owner', 'Team A', /^error: --owner: "Team A" must be an entity reference \[group\|user:\]\[namespace\/\]name/],
  ['--owner', 'component:default/x', /^error: --owner: .* the kind must be group or user$/],
  ['--owner', 'group:Default/x', /^error: --owner: .* the namespace must be a DNS label/],
  ['--owner', `group:default/${'x'.repeat(64)}`, /^error: --owner: .* the name must be 1-63 letters/],
  ['--system', 'group:x', /^error: --system: "group:x" .* the kind must be system$/],
  ['--lifecycle', 'beta', /^error: --lifecycle: "beta" must be one of experimental, production, deprecated/],
] as const) {
  test(`${flag} ${value}: refused with one line naming the flag and the rule`, async () => {
    await assertUsageError(['orders', '--yes', '--no-git', '--no-install', flag, value], message, (await import('node:os')).tmpdir());
  });
}

test('regen --owner rewrites catalog-info.yaml and records the new owner', async () => {
  const dir = await newRepo();
  const r = await runCli(['regen', '--owner', 'group:default/payments', '--lifecycle', 'production'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const entity = await assertValidComponent(read(dir, 'catalog-info.yaml'));
  assert.equal(
    [(entity.spec as { owner: string }).owner, (entity.spec as { lifecycle: string }).lifecycle],
    ['group:default/payments', 'production'],
  );
  assert.is(readRecord(dir).answers.owner, 'group:default/payments');
});

test('update brings catalog-info.yaml to a repo made before it existed, with the default answers, and records them', async () => {
  const dir = await newRepo({ args: ['--module', 'github.com/acme/orders'] });
  // As an older release wrote it: no catalog file, no catalog answers in the record.
  rmSync(join(dir, 'catalog-info.yaml'));
  const record = readRecord(dir);
  delete record.files['catalog-info.yaml'];
  const answers = record.answers as unknown as Record<string, unknown>;
  for (const key of ['owner', 'system', 'lifecycle']) delete answers[key];
  writeRecord(dir, { ...record, version: otherVersion(-1) });
  git(dir, ['init', '--quiet']);
  commitAll(dir, 'made by an older release');
  const r = await runCli(['update'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const entity = await assertValidComponent(read(dir, 'catalog-info.yaml'));
  assert.is((entity.spec as { owner: string }).owner, 'group:default/acme');
  const after = readRecord(dir);
  assert.ok('catalog-info.yaml' in after.files);
  assert.is(after.version, GENERATOR_VERSION);
});

/** The Software Template example of docs/fleets.md. */
function readmeTemplate(): Record<string, unknown> {
  const readme = readFileSync(new URL('../../docs/fleets.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^kind: Template$/m.test(b));
  assert.is(blocks.length, 1, 'one Template example in docs/fleets.md');
  return parseYaml(blocks[0]!) as Record<string, unknown>;
}

test("the Backstage Software Template of docs/fleets.md is valid by the scaffolder's Template v1beta3 validator", async () => {
  const template = readmeTemplate();
  assert.is(await templateEntityV1beta3Validator.check(template as never), true);
  assert.ok(await policies.enforce(structuredClone(template) as never));
  const steps = (template.spec as { steps: { action: string; input?: Record<string, unknown> }[] }).steps;
  assert.equal(steps.map((s) => s.action).slice(-2), ['publish:github', 'catalog:register']);
  // The step that runs the CLI passes every answer as a flag and never prompts.
  const run = JSON.stringify(steps[0]);
  assert.match(run, /"version":"<version>"/);
  for (const flag of ['--name', '--owner', '--system', '--lifecycle', '--module']) assert.ok(run.includes(`"${flag}=`), flag);
  // The custom action it calls runs the CLI without prompts or git (the publish step makes the repo).
  const readme = readFileSync(new URL('../../docs/fleets.md', import.meta.url), 'utf8');
  const action = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('acme:goK8sService:create'));
  assert.ok(action, 'the custom action in docs/fleets.md');
  assert.match(action!, /'--yes', '--no-git', '--no-install'/);
  // Every flag either uses exists.
  const help = (await runCli(['--help'])).stdout;
  for (const flag of [...(run.match(/--[a-z][a-z-]+/g) ?? []), ...(action!.match(/'--[a-z][a-z-]+'/g) ?? []).map((f) => f.slice(1, -1))]) {
    assert.match(help, new RegExp(`${flag.replace('--', '--(\\[no-\\])?')}\\b`), flag);
  }
});

test.run();
