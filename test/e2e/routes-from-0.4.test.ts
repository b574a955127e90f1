// test-budget: 600 s (builds the 0.4.0 package once per machine, ≈20 s; one Go build)
// The trial's edit, from the last release before routes.go: a team that added its route next to the
// generated one in internal/api/api.go takes this version's update with no conflict. api.go is
// merged (the team's route kept), routes.go arrives as the team's new file, and the service builds
// and vets as the update left it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { go } from '../support/go.js';
import { extracted, releasedTarball } from '../support/packages.js';
import { commitAll, read } from '../support/regen/repo.js';

/** 0.4.0 as released: api.go's Register held the generated routes, and teams added theirs there. */
const RELEASE_0_4_0 = 'ab17b67';

test('a route added next to the generated one in a 0.4.0 repo updates with no conflict; build and vet pass', async () => {
  const cli = join(extracted(releasedTarball(RELEASE_0_4_0)), 'dist/cli.cjs');
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-routes-04-')), 'shop');
  const made = await runCli([dir, '--module', 'github.com/acme/shop', '--yes', '--no-install'], { cli });
  assert.is(made.exitCode, 0, made.stderr);
  const api = 'internal/api/api.go';
  const hello = '\tmux.HandleFunc("GET /api/v1/hello", Hello)\n';
  assert.ok(read(dir, api).includes(hello), '0.4.0 registers its route in api.go');
  writeFileSync(join(dir, api), read(dir, api).replace(hello, `${hello}\tmux.HandleFunc("GET /api/v1/orders", Orders)\n`));
  writeFileSync(
    join(dir, 'internal/api/orders.go'),
    'package api\n\nimport "net/http"\n\n// Orders lists the orders.\nfunc Orders(w http.ResponseWriter, _ *http.Request) {\n\twriteJSON(w, http.StatusOK, []string{})\n}\n',
  );
  commitAll(dir, 'our orders route');

  const r = await runCli(['update', '--json'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { conflicts: string[]; files: { path: string; action: string }[] };
  assert.equal(j.conflicts, []);
  assert.is(j.files.find((f) => f.path === api)?.action, 'merged');
  assert.is(j.files.find((f) => f.path === 'internal/api/routes.go')?.action, 'create');
  assert.match(
    read(dir, api),
    /^\tRegisterRoutes\(mux\)\n\n\tmux\.HandleFunc\("GET \/api\/v1\/hello", Hello\)\n\tmux\.HandleFunc\("GET \/api\/v1\/orders", Orders\)\n/m,
  );
  for (const args of [
    ['build', './...'],
    ['vet', './...'],
  ]) {
    const b = await go(dir, args);
    assert.is(b.exitCode, 0, `go ${args.join(' ')}:\n${b.all}`);
  }
});

test.run();
