// The rules every answer must meet, whichever way it arrives (prompt, flag, file).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as rules from '../../generators/model/validate.js';

const ok = (rule: rules.Rule<never>, v: unknown) => assert.is(rule(v as never), undefined, `${JSON.stringify(v)} should pass`);
const bad = (rule: rules.Rule<never>, v: unknown, why: RegExp) => {
  const r = rule(v as never);
  assert.type(r, 'string', `${JSON.stringify(v)} should fail`);
  assert.match(r!, why);
};

test('service name: a DNS label starting with a letter, at most 53 characters', () => {
  for (const v of ['a', 'demo-svc', 'orders-v2', 'a'.repeat(53)]) ok(rules.serviceName, v);
  bad(rules.serviceName, '', /empty/);
  bad(rules.serviceName, 'a'.repeat(54), /53/);
  for (const v of ['con', 'nul', 'com1', 'lpt9']) bad(rules.serviceName, v, /reserved file name on Windows/);
  ok(rules.serviceName, 'console');
  // A generated repo named so was built with go build ./...: vendor fails to import its own
  // packages, testdata leaves cmd/testdata out of ./...; internal builds fine.
  for (const v of ['vendor', 'testdata']) bad(rules.serviceName, v, /^must not be vendor or testdata: Go treats/);
  for (const v of ['internal', 'vendors', 'my-vendor', 'testdata-svc']) ok(rules.serviceName, v);
  for (const v of ['Demo', '1svc', 'svc-', '-svc', 'my_svc', 'my.svc', 'my svc', 'ünï', '../x', '/abs'])
    bad(rules.serviceName, v, /DNS-1123/);
});

test('module path: the rules of golang.org/x/mod/module.CheckPath', () => {
  for (const v of ['github.com/acme/svc', 'example.com/x/v2', 'go.acme.io/a-b_c~d/e.f', 'gitlab.com/Group/Proj']) ok(rules.modulePath, v);
  bad(rules.modulePath, 'svc', /domain name containing a dot/);
  bad(rules.modulePath, 'Example.com/x', /lowercase/);
  bad(rules.modulePath, 'example.com//x', /empty path elements/);
  bad(rules.modulePath, 'example.com/x/', /empty path elements/);
  bad(rules.modulePath, 'example.com/../x', /"\.\." path elements/);
  bad(rules.modulePath, 'example.com/.x', /must not start with a dot/);
  bad(rules.modulePath, 'example.com/x.', /must not end with a dot/);
  bad(rules.modulePath, 'example.com/a b', /found " "/);
  bad(rules.modulePath, 'example.com/x/v1', /\/v2 or higher/);
  bad(rules.modulePath, 'example.com/x/v0', /\/v2 or higher/);
  bad(rules.modulePath, 'example.com/con', /reserved file name/);
  bad(rules.modulePath, '-x.com/y', /must not start with "-"/);
  for (const v of ['example.com/vendor/x', 'example.com/x/vendor', 'github.com/vendor/vendor'])
    bad(rules.modulePath, v, /"vendor" path element/);
  for (const v of ['vendor.example.com/x', 'example.com/vendors/x', 'example.com/testdata/x', 'example.com/_x/y']) ok(rules.modulePath, v);
});

test('description: one line of well-formed text', () => {
  bad(rules.description, '', /must not be empty \(leave it out for the default\)/);
  for (const v of ['plain', 'with "quotes" & {{ braces }} ${{ x }} <b> : #', 'ünïcödé 😀']) ok(rules.description, v);
  bad(rules.description, 'two\nlines', /single line/);
  bad(rules.description, 'tab\there', /single line/);
  bad(rules.description, 'lone \ud800 surrogate', /valid Unicode/);
  bad(rules.description, ' padded', /spaces/);
  bad(rules.description, 'zero\ufeffwidth', /byte order mark/);
  bad(rules.description, 'x'.repeat(301), /300/);
});

test('Go version: 1.N from 1.25 to the newest released one this generator knows', () => {
  const newest = rules.LATEST_GO_MINOR;
  for (const v of ['1.25', '1.26', `1.${newest}`]) ok(rules.goVersion, v);
  bad(rules.goVersion, '1.24', /1\.25 or newer/);
  for (const v of ['1.26.1', 'go1.26', '2.0', '1', '']) bad(rules.goVersion, v, /like 1\.26/);
  for (const v of ['1.99', '1.100', `1.${newest + 1}`]) {
    bad(
      rules.goVersion,
      v,
      new RegExp(`^is not a released Go version \\(the newest this generator knows is 1\\.${newest}, and a newer local Go counts too\\)$`),
    );
  }
});

test('Go version: a local Go newer than the generator knows moves the limit to it, not beyond', () => {
  assert.is(rules.newestGoMinor(undefined), rules.LATEST_GO_MINOR);
  assert.is(rules.newestGoMinor('1.25'), rules.LATEST_GO_MINOR);
  assert.is(rules.newestGoMinor('1.40'), 40);
  const rule = rules.goVersionRule(rules.newestGoMinor('1.40'));
  assert.is(rule('1.40'), undefined);
  assert.match(
    rule('1.41')!,
    new RegExp(
      `^is not a released Go version \\(the newest this generator knows is 1\\.${rules.LATEST_GO_MINOR} and the local Go is 1\\.40\\)$`,
    ),
  );
});

test('port: 1024 to 65535, because the container has no privileges', () => {
  for (const v of [1024, 8080, 65535]) ok(rules.port, v);
  for (const v of [0, 80, 1023, 65536, 8080.5, NaN]) bad(rules.port, v, /1024 to 65535/);
});

test('image repository: reference grammar without tag or digest', () => {
  for (const v of ['ghcr.io/acme/svc', 'svc', 'localhost:5000/a/b', 'registry.example.com/team/svc-x_y.z']) ok(rules.imageRepository, v);
  for (const v of ['ghcr.io/acme/svc:1.0', 'svc@sha256:abc', 'svc:latest']) bad(rules.imageRepository, v, /without tag or digest/);
  for (const v of ['GHCR.io/Acme/Svc', 'a//b', 'a b', '']) bad(rules.imageRepository, v, /image repository|empty/);
});

test.run();
