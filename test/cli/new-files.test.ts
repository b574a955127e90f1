// Where regen and update put a generated version they could not merge into a file: under
// .go-k8s-service/new/<path>, where no tool looks. Beside the file, as deployment.yaml.new,
// Helm would render it as a second Deployment. Proved with real helm and go.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI } from '../support/cli.js';
import { go } from '../support/go.js';
import { KEY, spawnPty } from '../support/pty.js';
import { helmLint } from '../support/tools.js';
import { newerGenerator, otherVersion, updateIn, writtenByOlder } from '../support/regen/generators.js';
import { commitAll, edit, git, newRepo, read, reference } from '../support/regen/repo.js';

const CHART = 'charts/orders';
const DEPLOYMENT = `${CHART}/templates/deployment.yaml`;
const HELLO = 'internal/api/hello.go';

/** Every file under dir whose name ends in .new (outside .git). */
function besideFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.endsWith('.new') && !p.startsWith('.git/'));
}

async function toolsStillPass(dir: string): Promise<void> {
  const lint = await helmLint(join(dir, CHART));
  assert.ok(lint.ok, lint.output);
  const vet = await go(dir, ['vet', './...']);
  assert.is(vet.exitCode, 0, vet.all);
}

test('update without a merge base puts the new version under .go-k8s-service/new/: helm lint --strict and go vet ./... still pass', async () => {
  const dir = await newRepo();
  // Written by an older release, and edited before the first commit: neither this
  // generator nor git has the text those files were generated with.
  writtenByOlder(dir, otherVersion(-1), (_p, c) => c);
  edit(dir, DEPLOYMENT, /^( *)revisionHistoryLimit: .*$/m, '$&\n$1# ours');
  edit(dir, HELLO, 'const maxNameLength = 64', 'const maxNameLength = 80');
  git(dir, ['init', '--quiet']);
  commitAll(dir, 'first commit, with edits');
  const seams = await newerGenerator(dir, otherVersion(1), (path, content) =>
    path === DEPLOYMENT || path === HELLO ? `# version 2\n${content}`.replace(/^# version 2\npackage/, '// version 2\npackage') : content,
  );

  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 1);
  const j = c.json[0] as { noBase: string[]; files: { path: string; reason?: string }[] };
  assert.equal(j.noBase.sort(), [DEPLOYMENT, HELLO].sort());
  assert.match(c.errors[0]!, new RegExp(`${DEPLOYMENT} \\(see \\.go-k8s-service/new/${DEPLOYMENT}\\)`));
  assert.match(read(dir, `.go-k8s-service/new/${DEPLOYMENT}`), /^# version 2\n/);
  assert.match(read(dir, `.go-k8s-service/new/${HELLO}`), /^\/\/ version 2\npackage api/);
  assert.equal(besideFiles(dir), []);
  await toolsStillPass(dir);
});

test('regen on a terminal, "write the generated version aside", puts it under .go-k8s-service/new/: helm lint --strict and go vet ./... still pass', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, DEPLOYMENT, /^( *)revisionHistoryLimit: .*$/m, '$&\n$1# ours');
  const pty = await spawnPty(process.execPath, [CLI, 'regen', DEPLOYMENT], { cwd: dir, env: { NO_COLOR: '1' } });
  try {
    const screen = await pty.expect(
      /was edited since it was generated\.\s+What now\?[\s\S]*write the generated version under \.go-k8s-service\/new\//,
    );
    const choices = screen
      .split('What now?')
      .pop()!
      .split('\n')
      .filter((l) => l.trim());
    const aside = choices.findIndex((l) => l.includes('.go-k8s-service/new/'));
    assert.ok(aside > 0, screen);
    pty.write(KEY.down.repeat(aside - 1) + KEY.enter);
    assert.equal(await pty.waitExit(), { code: 0, signal: null }, pty.text());
  } finally {
    // A failed expectation must not leave the prompt waiting (the test process would hang).
    if ((await Promise.race([pty.exited, null])) === null) pty.kill('SIGKILL');
  }
  assert.is(read(dir, `.go-k8s-service/new/${DEPLOYMENT}`), (await reference(dir)).get(DEPLOYMENT));
  assert.match(read(dir, DEPLOYMENT), /# ours/);
  assert.equal(besideFiles(dir), []);
  assert.not.ok(existsSync(join(dir, `${DEPLOYMENT}.new`)));
  await toolsStillPass(dir);
});

test.run();
