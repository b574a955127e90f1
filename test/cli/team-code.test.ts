// A team's code never lives in a generated file: the routes a team adds go in
// internal/api/routes.go, written once and the team's since, which the generated api.Register
// calls. A release that changes the generated API code then updates with no conflict, and the
// service still builds and vets.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { go } from '../support/go.js';
import { commitAll, newRepo, read, readRecord } from '../support/regen/repo.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';

const ROUTES = 'internal/api/routes.go';

test("routes.go is generated once, is the team's, and api.Register calls it", async () => {
  const dir = await newRepo();
  assert.ok(existsSync(join(dir, ROUTES)));
  assert.match(read(dir, ROUTES), /^func RegisterRoutes\(mux \*http\.ServeMux\) \{$/m);
  assert.match(read(dir, 'internal/api/api.go'), /^\tRegisterRoutes\(mux\)$/m);
  assert.ok(ROUTES in readRecord(dir).files);
});

test('a route the team adds in routes.go survives an update that changes the generated API code, with no conflict; go build and vet pass', async () => {
  const dir = await newRepo({ git: true });
  writeFileSync(
    join(dir, ROUTES),
    read(dir, ROUTES).replace(/^func RegisterRoutes\(mux \*http\.ServeMux\) \{$/m, '$&\n\tmux.HandleFunc("GET /api/v1/orders", Orders)'),
  );
  writeFileSync(
    join(dir, 'internal/api/orders.go'),
    'package api\n\nimport "net/http"\n\n// Orders lists the orders.\nfunc Orders(w http.ResponseWriter, _ *http.Request) {\n\twriteJSON(w, http.StatusOK, []string{})\n}\n',
  );
  commitAll(dir, 'our orders route');
  const seams = await newerGenerator(dir, otherVersion(1), (p, c) => {
    if (p === 'internal/api/api.go')
      return c.replace(
        "// Register adds the API's routes to mux:",
        "// Register adds the API's routes to mux (the generated ones and the team's):",
      );
    if (p === ROUTES) return `${c}// version 2 of the starter\n`;
    return c;
  });
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const j = c.json[0] as { conflicts: string[]; files: { path: string; action: string }[] };
  assert.equal(j.conflicts, []);
  assert.is(j.files.find((f) => f.path === 'internal/api/api.go')?.action, 'update');
  assert.is(j.files.find((f) => f.path === ROUTES)?.action, 'kept');
  assert.match(read(dir, ROUTES), /mux\.HandleFunc\("GET \/api\/v1\/orders", Orders\)/);
  assert.match(read(dir, 'internal/api/api.go'), /\(the generated ones and the team's\)/);
  for (const args of [
    ['build', './...'],
    ['vet', './...'],
  ]) {
    const r = await go(dir, args);
    assert.is(r.exitCode, 0, `go ${args.join(' ')}:\n${r.all}`);
  }
});

test.run();
