// The generated Makefile's recipes do not depend on the caller's shell start-up files. Run from a
// Node child process (an IDE task runner, a Node tool, these tests) with SHLVL unset or 1, bash
// sees a socket on stdin, believes a remote shell started it and sources the system bashrc and
// ~/.bashrc, where `.SHELLFLAGS := -eu` trips (Debian's: "PS1: unbound variable"). Here make runs
// exactly so: spawned by Node with piped stdio, SHLVL unset or 1, and a HOME whose .bashrc leaves
// a mark and fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generate } from '../support/generate.js';

const home = mkdtempSync(join(tmpdir(), 'cgks-makefile-shell-home-'));
const mark = join(home, 'bashrc-was-read');
writeFileSync(join(home, '.bashrc'), `: > '${mark}'\necho "TRIPPED: ~/.bashrc read by a recipe shell: $PS1" >&2\n`);
const repos = [
  generate({}, 'cgks-makefile-shell-'),
  generate({ deploy: 'gitops', database: 'postgres', tracing: true }, 'cgks-makefile-shell-'),
];

test.after(() => {
  for (const dir of [home, ...repos]) rmSync(dir, { recursive: true, force: true });
});

/** make as a Node tool runs it: stdio pipes (sockets), the given SHLVL (undefined: unset). */
function make(dir: string, args: string[], shlvl: string | undefined) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, MAKEFLAGS: '' };
  if (shlvl !== undefined) env.SHLVL = shlvl;
  rmSync(mark, { force: true });
  return spawnSync('make', args, { cwd: dir, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

for (const shlvl of [undefined, '1']) {
  test(`SHLVL ${shlvl ?? 'unset'}: make help, a recipe and $(shell ...) run without reading any bashrc, stderr empty`, () => {
    for (const dir of repos) {
      for (const args of [['help'], ['--no-print-directory', 'ENV=nope', 'helm-template']]) {
        const r = make(dir, args, shlvl);
        const stderr = r.stderr.trim();
        if (args[0] === 'help') {
          assert.is(r.status, 0, stderr);
          assert.is(stderr, '', `make ${args.join(' ')}`);
          assert.match(r.stdout, /Targets:/);
        } else {
          // A recipe that fails on purpose: its one line, and nothing from a start-up file.
          assert.is(r.status, 2, stderr);
          const lines = stderr.split('\n');
          assert.match(
            lines[0]!,
            /^error: ENV=nope \(from the command line\): there is no charts\/demo-svc\/values-nope\.yaml; environments: dev prod staging$/,
          );
          assert.equal(
            lines.slice(1).map((l) => l.replace(/\d+/g, 'N')),
            ['make: *** [Makefile:N: helm-template] Error N'],
            stderr,
          );
        }
        assert.not.ok(existsSync(mark), `make ${args.join(' ')} read ~/.bashrc`);
      }
    }
  });
}

test.run();
