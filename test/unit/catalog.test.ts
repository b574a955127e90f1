// What catalog-info.yaml derives from the answers: the default owner, the source repository
// of a module path, and Backstage's entity reference format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEntityRef } from '@backstage/catalog-model';
import { defaultOwner, entityRefProblem, sourceRepo } from '../../generators/model/catalog.js';

test("the default owner is the organisation that owns the repository, else the domain's name", () => {
  assert.is(defaultOwner('github.com/acme/orders', 'orders'), 'group:default/acme');
  assert.is(defaultOwner('gitlab.com/Acme.Corp/shop/orders', 'orders'), 'group:default/acme.corp');
  assert.is(defaultOwner('go.acme.example/orders', 'orders'), 'group:default/acme');
  assert.is(defaultOwner('example.com/orders', 'orders'), 'group:default/example');
  assert.is(defaultOwner('localhost/orders', 'orders'), 'group:default/localhost');
  assert.is(defaultOwner('example.com/~me~/orders', 'orders'), 'group:default/me');
  assert.is(defaultOwner('example.com/~~/orders', 'orders'), 'group:default/orders');
  // Whatever the module, the default is a reference Backstage parses, and valid by our rule.
  for (const m of ['github.com/acme/orders', 'example.com/~~/orders', 'a.b', `example.com/${'x'.repeat(80)}/y`]) {
    const owner = defaultOwner(m, 'orders');
    assert.is(entityRefProblem(owner, ['group', 'user']), undefined, owner);
    assert.is(parseEntityRef(owner).kind, 'group');
  }
});

test('the source repository of github.com and gitlab.com modules', () => {
  assert.equal(sourceRepo('github.com/acme/orders'), {
    host: 'github.com',
    slug: 'acme/orders',
    url: 'https://github.com/acme/orders',
    dir: '',
  });
  assert.equal(sourceRepo('github.com/acme/orders/v2'), {
    host: 'github.com',
    slug: 'acme/orders',
    url: 'https://github.com/acme/orders',
    dir: '',
  });
  assert.equal(sourceRepo('github.com/acme/mono/svc/orders')?.dir, 'svc/orders');
  assert.equal(sourceRepo('gitlab.com/acme/shop/orders')?.slug, 'acme/shop/orders');
  assert.is(sourceRepo('github.com/acme'), undefined);
  assert.is(sourceRepo('example.com/acme/orders'), undefined);
});

test('entity references as Backstage reads them', () => {
  for (const ok of ['acme', 'group:acme', 'user:default/jane.doe', 'group:my-ns/team_a']) {
    assert.is(entityRefProblem(ok, ['group', 'user']), undefined, ok);
    parseEntityRef(ok, { defaultKind: 'group', defaultNamespace: 'default' });
  }
  for (const bad of ['', 'a b', 'component:x', 'group:Default/x', 'a/b/c', 'x-', 'x'.repeat(64)]) {
    assert.ok(entityRefProblem(bad, ['group', 'user']), bad);
  }
});

test.run();
