// Rendering never HTML-escapes and never renders a missing variable as empty text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEMPLATE_OPTIONS } from '../../generators/render/template-helpers.js';
import { createEnv } from '../../generators/render/template-source.js';
import { resolveAnswers, MissingAnswersError, AnswerError } from '../../generators/model/answers.js';
import { defaultImage } from '../../generators/model/questions.js';
import { renderAll } from '../../generators/render/render.js';
import { answersFor } from '../support/generate.js';

test('templates compile without HTML escaping', () => {
  const out = createEnv().compile('{{x}}', TEMPLATE_OPTIONS)({ x: `a=b & "c" <d>` });
  assert.is(out, `a=b & "c" <d>`);
});

test('a missing variable is an error, not an empty string', () => {
  assert.throws(() => createEnv().compile('port: {{prot}}', TEMPLATE_OPTIONS)({ port: 1 }), /"prot" not defined/);
});

test('an escaped \\{{ renders literally, as GitHub expressions need', () => {
  assert.is(createEnv().compile('token: $\\{{ secrets.TOKEN }}', TEMPLATE_OPTIONS)({}), 'token: ${{ secrets.TOKEN }}');
});

test('only the registered helpers exist: a misspelt helper fails when the template is compiled', () => {
  assert.throws(() => createEnv().precompile('{{goStrnig name}}', TEMPLATE_OPTIONS), /unknown helper goStrnig/);
  assert.throws(() => createEnv().precompile('{{#shout name}}x{{/shout}}', TEMPLATE_OPTIONS), /unknown helper shout/);
});

test('defaults follow earlier answers', () => {
  const a = resolveAnswers(
    { name: 'orders', module: 'github.com/Acme/orders-svc' },
    { useDefaults: true, env: { localGoVersion: '1.27' } },
  );
  assert.is(a.image, 'ghcr.io/acme/orders-svc');
  assert.is(a.goVersion, '1.27');
  assert.is(a.port, 8080);
  assert.is(a.ci, 'github');
  assert.is(a.metrics, true);
  assert.is(a.tracing, false);
  const old = resolveAnswers({ name: 'x' }, { useDefaults: true, env: { localGoVersion: '1.22' } });
  assert.is(old.goVersion, '1.26', 'a local Go below the minimum is not a usable default');
  assert.is(defaultImage('gitlab.com/a/b', 'b'), 'registry.gitlab.com/a/b');
  assert.is(defaultImage('gitlab.com/Acme/Shop/orders', 'orders'), 'registry.gitlab.com/acme/shop/orders');
  assert.is(defaultImage('gitlab.example.com/a/b', 'b'), 'registry.example.com/b', 'a self-managed GitLab: its registry host is unknown');
  assert.is(defaultImage('github.com/a', 'a'), 'registry.example.com/a');
});

test('without defaults, every unanswered question is reported at once', () => {
  try {
    resolveAnswers({ name: 'x', port: '8081' }, { useDefaults: false, env: {} });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, MissingAnswersError);
    assert.ok((err as Error).message.startsWith('missing --module, --description, --go-version, --image'));
  }
});

test('values are coerced from flag strings and validated', () => {
  const a = resolveAnswers({ name: 'x', port: '9090', metrics: 'false' }, { useDefaults: true, env: {} });
  assert.is(a.port, 9090);
  assert.is(a.metrics, false);
  assert.throws(
    () => resolveAnswers({ name: 'x', port: '9x' }, { useDefaults: true, env: {} }),
    (e: unknown) => e instanceof AnswerError && /--port/.test((e as Error).message),
  );
});

test('a service name YAML 1.1 reads as a boolean or null stays a string in every YAML file', async () => {
  const { render } = await import('../support/generate.js');
  const { parse } = await import('yaml');
  for (const name of ['yes', 'no', 'on', 'off', 'y', 'n', 'null', 'true']) {
    for (const f of render({ name })) {
      if (!/\.ya?ml$/.test(f.path) || f.path.includes('/templates/')) continue;
      const doc = parse(f.content, { version: '1.1' }) as Record<string, unknown>;
      if (f.path.endsWith('Chart.yaml') || f.path === 'compose.yaml') assert.is(doc.name, name, `${f.path} with name ${name}`);
    }
  }
});
test('the tracing variant requires golang.org/x/net v0.60.0 or newer (HTTP/2 fixes)', () => {
  const goMod = renderAll(answersFor({ tracing: true })).find((f) => f.path === 'go.mod')!.content;
  const v = /^\s*golang\.org\/x\/net v0\.(\d+)\.\d+/m.exec(goMod);
  assert.ok(v, 'golang.org/x/net is not required');
  assert.ok(Number(v[1]) >= 60, `golang.org/x/net v0.${v[1]}`);
});

test.run();
