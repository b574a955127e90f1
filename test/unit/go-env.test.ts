// A test's Go environment is made in one place, test/support/go.ts goEnv(): the installed Go only
// (GOTOOLCHAIN=local), none of the caller's GOFLAGS, and each difference (cgo off, no workspace,
// offline modules, the machine's caches under another HOME) a named option. A test file that sets
// GOTOOLCHAIN itself fails here: it has made a Go environment of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goEnv } from '../support/go.js';

const TEST = fileURLToPath(new URL('../', import.meta.url));
const HELPER = 'support/go.ts';

/** GOTOOLCHAIN set in code: an object key or an assignment with a quoted value (YAML or shell text inside a string is not code). */
const SETS_TOOLCHAIN = /\bGOTOOLCHAIN['"]?\s*[:=]\s*['"`]/;

const files = readdirSync(TEST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('fixtures/'));

test('no test file but the helper sets GOTOOLCHAIN', () => {
  const own = files.filter((f) => f !== HELPER && f !== 'unit/go-env.test.ts' && SETS_TOOLCHAIN.test(readFileSync(join(TEST, f), 'utf8')));
  assert.equal(own, [], `these build a Go environment of their own (use goEnv() from test/${HELPER}): ${own.join(', ')}`);
  assert.ok(
    SETS_TOOLCHAIN.test(readFileSync(join(TEST, HELPER), 'utf8')),
    `${HELPER} no longer sets GOTOOLCHAIN: this test guards nothing`,
  );
});

test('the detector sees an object key, a quoted key and an assignment, not YAML or shell text', () => {
  for (const code of ["{ GOTOOLCHAIN: 'local' }", '{ "GOTOOLCHAIN": "local" }', 'env.GOTOOLCHAIN = `local`'])
    assert.ok(SETS_TOOLCHAIN.test(code), code);
  for (const text of ['variables:\n  GOTOOLCHAIN: local', 'GOTOOLCHAIN=local go build', '(GOTOOLCHAIN=local)'])
    assert.not.ok(SETS_TOOLCHAIN.test(text), text);
});

test('goEnv: the installed Go, no GOFLAGS; each difference is its option', () => {
  const base = goEnv();
  assert.is(base.GOTOOLCHAIN, 'local');
  assert.is(base.GOFLAGS, '');
  assert.is(base.GOWORK, undefined);
  assert.is(goEnv({ cgo: false }).CGO_ENABLED, '0');
  assert.is(goEnv({ cgo: true }).CGO_ENABLED, '1');
  assert.is(goEnv({ noWorkspace: true }).GOWORK, 'off');
  assert.is(goEnv({ flags: '-mod=mod' }).GOFLAGS, '-mod=mod');
  assert.is(goEnv({ proxy: 'off' }).GOPROXY, 'off');
  const offline = goEnv({ proxy: 'module-cache' });
  assert.match(offline.GOPROXY!, /^file:\/\/.+\/cache\/download$/);
  assert.is(offline.GOSUMDB, 'off');
  const shared = goEnv({ sharedCaches: true });
  assert.ok(shared.GOCACHE && shared.GOMODCACHE, 'the machine caches are named');
  assert.ok(relative(shared.GOMODCACHE!, offline.GOPROXY!.slice('file://'.length)).startsWith('cache'));
});

test.run();
