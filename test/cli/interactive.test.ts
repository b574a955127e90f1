// The create command as a person sees it: a real pseudo-terminal, keys typed into the
// inquirer prompts, wrong answers asked again with the rule, a summary confirmed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, runCli } from '../support/cli.js';
import { KEY, spawnPty, type Pty } from '../support/pty.js';
import { assertSameTree } from '../support/tree.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-tty-'));
const started: Pty[] = [];
const cli = async (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const pty = await spawnPty(process.execPath, [CLI, ...args], { cwd, env });
  started.push(pty);
  return pty;
};
// A failed test leaves its CLI waiting at a prompt: end it, or the file never finishes.
test.after.each(() => {
  for (const pty of started.splice(0)) {
    try {
      pty.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

/** Waits for a prompt, asserts what it shows, types the answer. */
async function answer(pty: Pty, prompt: RegExp | string, keys: string): Promise<string> {
  const screen = await pty.expect(prompt);
  pty.write(keys);
  return screen;
}

/** The catalog answers (asked last), for tests about the questions before them. */
const CATALOG = ['--owner', 'acme', '--system=', '--lifecycle', 'experimental'];

const DESCRIPTION = 'Orders: "quoted" & {{braces}} ${{ x }} `tick` #1 - a: b';

test('answers typed at the prompts give the same repo, byte for byte, as the same answers given as flags', async () => {
  const ttyDir = tmp();
  const pty = await cli(['--no-install'], ttyDir);

  // A wrong name is asked again with the rule it broke.
  await answer(pty, /\? Service name \(directory, binary, Kubernetes and Helm name\) $/, 'Orders\r');
  await answer(pty, '>> must be a DNS-1123 label', KEY.clearLine + 'orders\r');
  // Defaults are shown, and follow earlier answers.
  await answer(pty, '? Go module path (github.com/example/orders)', 'github.com/acme/orders\r');
  await answer(pty, '? One-line description (orders is a Go service for Kubernetes.)', DESCRIPTION + '\r');
  await answer(pty, /\? Go version \(1\.\d+\)/, '1.25\r');
  await answer(pty, '? HTTP port (8080)', '80\r');
  await answer(pty, '>> must be an integer from 1024 to 65535', KEY.clearLine + '9090\r');
  await answer(pty, '? Container image repository (no tag) (ghcr.io/acme/orders)', '\r');
  await answer(pty, /\? CI provider[\s\S]*GitHub Actions[\s\S]*GitLab CI[\s\S]*none/, KEY.down + '\r');
  await answer(pty, /\? Runtime base image[\s\S]*distroless[\s\S]*scratch[\s\S]*alpine/, KEY.down + KEY.down + '\r');
  await answer(pty, '? Expose Prometheus metrics on /metrics? (Y/n)', 'n\r');
  await answer(pty, '? Trace requests with OpenTelemetry (OTLP)? (y/N)', 'y\r');
  await answer(pty, '? Compile automaxprocs in (AUTOMAXPROCS=true switches it on)? (Y/n)', 'n\r');
  // Asked only because there is a CI file to sign in.
  await answer(pty, '? Sign the pushed image with cosign (keyless, by digest)? (y/N)', 'y\r');
  // Also asked only with a CI file: the job is a CI job.
  await answer(pty, '? Add a scheduled CI job that opens generator update pull requests (without self-hosted Renovate)? (y/N)', 'y\r');
  await answer(pty, /\? Database[\s\S]*none[\s\S]*PostgreSQL/, KEY.down + '\r');
  await answer(pty, /\? How environments are deployed[\s\S]*helm upgrade[\s\S]*GitOps/, KEY.down + '\r');
  // The catalog questions: the owner's default follows the module path.
  await answer(pty, '? Owner in the service catalog (Backstage group or user) (group:default/acme)', '\r');
  await answer(pty, '? System in the service catalog (empty for none)', 'shop\r');
  await answer(pty, /\? Lifecycle in the service catalog[\s\S]*experimental[\s\S]*production[\s\S]*deprecated/, KEY.down + '\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', '\r');
  assert.match(summary, /About to write \d+ files into orders:/);
  for (const line of [
    /name +orders/,
    /module +github\.com\/acme\/orders/,
    /description +Orders: "quoted" & \{\{braces\}\} \$\{\{ x \}\} `tick` #1 - a: b/,
    /go-version +1\.25/,
    /port +9090/,
    /image +ghcr\.io\/acme\/orders/,
    /ci +GitLab CI/,
    /base-image +alpine/,
    /metrics +no/,
    /tracing +yes/,
    /sign +yes/,
    /update-job +yes/,
    /database +PostgreSQL/,
    /deploy +GitOps/,
    /owner +group:default\/acme/,
    /system +shop/,
    /lifecycle +production/,
  ]) {
    assert.match(summary, line);
  }
  assert.not.ok(existsSync(join(ttyDir, 'orders')), 'something was written before the summary was confirmed');

  const exit = await pty.waitExit();
  const screen = pty.text();
  assert.equal(exit, { code: 0, signal: null }, screen);
  assert.match(screen, /✔ Wrote \d+ files into orders/);
  // The slow step ran with a spinner, then left its result.
  assert.match(pty.raw(), /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Creating a git repository/);
  assert.match(screen, /✔ Created a git repository with a first commit/);
  assert.match(screen, /Next steps:\s+cd orders\s+go mod download\s+make test[^\n]*\n\s+make run[^\n]*localhost:9090/);
  assert.not.match(screen, STACK);

  const flagDir = tmp();
  const flags = await runCli(
    [
      'orders',
      '--module',
      'github.com/acme/orders',
      `--description=${DESCRIPTION}`,
      '--go-version',
      '1.25',
      '--port',
      '9090',
      '--image',
      'ghcr.io/acme/orders',
      '--ci',
      'gitlab',
      '--base-image',
      'alpine',
      '--no-metrics',
      '--tracing',
      '--no-automaxprocs',
      '--sign',
      '--update-job',
      '--database',
      'postgres',
      '--deploy',
      'gitops',
      '--owner',
      'group:default/acme',
      '--system',
      'shop',
      '--lifecycle',
      'production',
      '--no-git',
      '--no-install',
    ],
    { cwd: flagDir },
  );
  assert.is(flags.exitCode, 0, flags.stderr);

  const typed = assertSameTree(join(ttyDir, 'orders'), join(flagDir, 'orders'));
  assert.ok(typed.size > 30, `only ${typed.size} files`);
  assert.ok(existsSync(join(ttyDir, 'orders', '.git')), 'no git repository');
  const record = JSON.parse(typed.get('.go-k8s-service.json')!.toString());
  assert.is(record.answers.description, DESCRIPTION);
});

test('answers given as flags are not asked; declining the summary writes nothing', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      'orders',
      '--module',
      'example.com/orders',
      '--go-version',
      '1.26',
      '--port',
      '8081',
      '--image',
      'registry.example.com/orders',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  const before = await answer(pty, '? One-line description (orders is a Go service for Kubernetes.)', '\r');
  assert.not.match(before, /Service name|Go module path|HTTP port/);
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'n\r');
  assert.not.match(summary, /\? (Go version|HTTP port|CI provider|Runtime base image|Expose|Trace)/);
  assert.match(summary, /description +orders is a Go service for Kubernetes\./);
  assert.match(summary, /ci +none/);
  const exit = await pty.waitExit();
  assert.is(exit.code, 1);
  assert.match(pty.text(), /Nothing written\./);
  assert.equal(readdirSync(dir), []);
});

test('a directory name that cannot be the service name is asked for, and the directory kept', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      'My Service',
      '--module',
      'example.com/x',
      '--description',
      'x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  const screen = await answer(pty, '? Service name', 'my-service\r');
  assert.match(screen, /"My Service" cannot be the service name: it must be a DNS-1123 label/);
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'y\r');
  assert.is((await pty.waitExit()).code, 0, pty.text());
  assert.ok(existsSync(join(dir, 'My Service', 'cmd', 'my-service', 'main.go')));
});

test('the name prompt refuses a name whose directory is taken', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'orders'));
  writeFileSync(join(dir, 'orders', 'notes.txt'), 'mine');
  const pty = await cli(
    [
      '--module',
      'example.com/x',
      '--description',
      'x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
      '--dry-run',
    ],
    dir,
  );
  await answer(pty, '? Service name', 'orders\r');
  await answer(pty, '>> orders is not empty (notes.txt): choose another name, or pass --force', KEY.clearLine + 'orders-2\r');
  // --dry-run on a terminal: asks, lists, writes nothing, no confirmation needed.
  const exit = await pty.waitExit();
  assert.is(exit.code, 0, pty.text());
  assert.match(pty.text(), /Would write \d+ files into orders-2:/);
  assert.equal(readdirSync(dir), ['orders']);
});

test('with --force, the summary says files in the directory will be replaced', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'orders'));
  writeFileSync(join(dir, 'orders', 'README.md'), 'mine');
  const pty = await cli(
    [
      'orders',
      '--force',
      '--module',
      'example.com/x',
      '--description',
      'x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'n\r');
  assert.match(summary, /About to write \d+ files into orders, replacing files with the same names \(--force\):/);
  assert.is((await pty.waitExit()).code, 1);
  assert.is(readFileSync(join(dir, 'orders', 'README.md'), 'utf8'), 'mine');
});

test('--yes on a terminal asks nothing', async () => {
  const dir = tmp();
  const pty = await cli(['svc', '--yes', '--no-git', '--no-install'], dir);
  const exit = await pty.waitExit();
  assert.is(exit.code, 0, pty.text());
  assert.not.match(pty.text(), /^\? /m);
  assert.ok(existsSync(join(dir, 'svc', 'go.mod')));
});

test('a flag with a wrong value fails at once on a terminal too, before any question', async () => {
  const dir = tmp();
  const pty = await cli(['svc', '--port', '80'], dir);
  const exit = await pty.waitExit();
  assert.is(exit.code, 2);
  assert.match(pty.text(), /^error: --port: 80 must be an integer from 1024 to 65535/m);
  assert.not.match(pty.text(), /^\? /m);
});

test('with CI set, a terminal is not asked either; CI=false is no CI', async () => {
  const dir = tmp();
  const ci = await cli(['svc'], dir, { CI: 'true' });
  assert.is((await ci.waitExit()).code, 2);
  assert.match(ci.text(), /missing --module, --description/);
  const notCi = await cli(['svc'], dir, { CI: 'false' });
  await notCi.expect('? Go module path');
  notCi.write(KEY.ctrlC);
  assert.is((await notCi.waitExit()).code, 130);
  assert.equal(readdirSync(dir), []);
});

const ALL_FLAGS = [
  '--automaxprocs',
  '--module',
  'example.com/x',
  '--description',
  'x',
  '--go-version',
  '1.26',
  '--port',
  '8080',
  '--image',
  'x',
  '--ci',
  'github',
  '--base-image',
  'scratch',
  '--database',
  'none',
  '--deploy',
  'helm',
  ...CATALOG,
  '--no-git',
  '--no-install',
];

test('a y/n question takes only y, yes, n, no (any case) or Enter, and asks again otherwise', async () => {
  const dir = tmp();
  const pty = await cli(['orders', ...ALL_FLAGS], dir);
  // Any other key used to count as the default.
  await answer(pty, '? Expose Prometheus metrics on /metrics? (Y/n)', 'x\r');
  await answer(pty, '>> answer y or n (Enter: yes)', KEY.clearLine + 'nope\r');
  await answer(pty, '>> answer y or n (Enter: yes)', KEY.clearLine + 'No\r');
  await answer(pty, '? Trace requests with OpenTelemetry (OTLP)? (y/N)', 'sure\r');
  await answer(pty, '>> answer y or n (Enter: no)', KEY.clearLine + 'YES\r');
  // Enter takes the default (no).
  await answer(pty, '? Sign the pushed image with cosign (keyless, by digest)? (y/N)', '\r');
  await answer(pty, '? Add a scheduled CI job that opens generator update pull requests (without self-hosted Renovate)? (y/N)', '\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'k\r');
  assert.match(summary, /metrics +no\r?\n/);
  assert.match(summary, /tracing +yes\r?\n/);
  assert.match(summary, /sign +no\r?\n/);
  assert.match(summary, /update-job +no\r?\n/);
  await answer(pty, '>> answer y to write, n to stop, or e to edit an answer (Enter: yes)', KEY.clearLine + 'n\r');
  assert.is((await pty.waitExit()).code, 1, pty.text());
  assert.match(pty.text(), /Nothing written\./);
  assert.equal(readdirSync(dir), []);
});

test('answers typed ahead, before their prompts appear, are all taken in order', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  // Typed while the CLI is still starting: the terminal holds the lines until they are read.
  for (const line of ['orders', 'github.com/acme/orders', 'Typed ahead.']) pty.write(line + '\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'n\r');
  assert.match(summary, /name +orders\r?\n/);
  assert.match(summary, /module +github\.com\/acme\/orders\r?\n/);
  assert.match(summary, /description +Typed ahead\.\r?\n/);
  assert.is((await pty.waitExit()).code, 1, pty.text());
});

test('a pasted multi-line description is joined into one line, shown before Enter, never cut to its first line', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      'orders',
      '--module',
      'example.com/x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  await pty.expect('? One-line description');
  // A terminal sends a paste's line breaks as \r, all at once.
  pty.write('Takes orders.\r  Ships them.\rBills them.\r');
  // Not submitted: the joined line waits for Enter.
  await pty.expect('Takes orders. Ships them. Bills them.');
  await new Promise((r) => setTimeout(r, 300));
  assert.not.match(pty.text(), /Write the project/);
  pty.write('\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'n\r');
  assert.match(summary, /description +Takes orders\. Ships them\. Bills them\.\r?\n/);
  assert.is((await pty.waitExit()).code, 1, pty.text());
});

test('at the summary, "e" edits one answer: choose it, answer again, see the summary again', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      'orders',
      '--module',
      'example.com/x',
      '--description',
      'Typo servcie',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'e\r');
  // The list shows every answer with its value; the description is the third.
  await answer(pty, /\? Which answer\?[\s\S]*description +Typo servcie/, KEY.down + KEY.down + '\r');
  // Asked again with the current value as the default; a wrong value is refused as usual.
  await answer(pty, '? One-line description (Typo servcie)', KEY.clearLine + 'x'.repeat(301) + '\r');
  await answer(pty, '>> must be at most 300 characters', KEY.clearLine + 'Fixed service\r');
  const again = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'e\r');
  assert.match(again, /About to write \d+ files into orders:[\s\S]*description +Fixed service\r?\n/);
  // An edit that makes another question apply asks it: a CI file brings the signing question.
  await answer(pty, /\? Which answer\?/, KEY.down.repeat(6) + '\r');
  // The list starts at the current value (none).
  await answer(pty, /\? CI provider/, KEY.up + KEY.up + '\r');
  await answer(pty, '? Sign the pushed image with cosign (keyless, by digest)? (y/N)', 'y\r');
  await answer(pty, '? Add a scheduled CI job that opens generator update pull requests (without self-hosted Renovate)? (y/N)', '\r');
  const last = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', '\r');
  assert.match(last, /ci +GitHub Actions\r?\n/);
  assert.match(last, /sign +yes\r?\n/);
  assert.is((await pty.waitExit()).code, 0, pty.text());
  const record = JSON.parse(readFileSync(join(dir, 'orders', '.go-k8s-service.json'), 'utf8'));
  assert.is(record.answers.description, 'Fixed service');
  assert.is(record.answers.ci, 'github');
  assert.is(record.answers.sign, true);
});

test('editing the name at the summary moves the target, and a taken directory is refused there too', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'taken'));
  writeFileSync(join(dir, 'taken', 'notes.txt'), 'mine');
  const pty = await cli(
    [
      '--name',
      'orders',
      '--module',
      'example.com/x',
      '--description',
      'x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'e\r');
  await answer(pty, /\? Which answer\?/, '\r');
  await answer(pty, '? Service name (directory, binary, Kubernetes and Helm name) (orders)', KEY.clearLine + 'taken\r');
  await answer(pty, '>> taken is not empty (notes.txt): choose another name, or pass --force', KEY.clearLine + 'billing\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'y\r');
  assert.match(summary, /About to write \d+ files into billing:/);
  assert.is((await pty.waitExit()).code, 0, pty.text());
  assert.equal(readdirSync(dir).sort(), ['billing', 'taken']);
  assert.ok(existsSync(join(dir, 'billing', 'cmd', 'billing', 'main.go')));
});

test('editing the name at the summary derives again the answers that were its defaults; a typed answer is kept', async () => {
  const dir = tmp();
  // module, description, image and owner are asked with defaults from the name; the description is typed.
  const pty = await cli(
    [
      '--name',
      'tty3',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'helm',
      '--system=',
      '--lifecycle',
      'experimental',
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  await answer(pty, /\? Go module path/, '\r');
  await answer(pty, /\? One-line description/, KEY.clearLine + 'Typed by hand\r');
  await answer(pty, /\? Container image repository/, '\r');
  await answer(pty, /\? Owner in the service catalog/, '\r');
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'e\r');
  await answer(pty, /\? Which answer\?/, '\r');
  await answer(pty, '? Service name (directory, binary, Kubernetes and Helm name) (tty3)', KEY.clearLine + 'renamed\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'y\r');
  assert.match(summary, /module +github\.com\/example\/renamed/);
  assert.is((await pty.waitExit()).code, 0, pty.text());
  const record = JSON.parse(readFileSync(join(dir, 'renamed', '.go-k8s-service.json'), 'utf8')) as { answers: Record<string, unknown> };
  assert.equal(
    { module: record.answers.module, image: record.answers.image, description: record.answers.description },
    { module: 'github.com/example/renamed', image: 'ghcr.io/example/renamed', description: 'Typed by hand' },
  );
});

test('--gitops-repo-starter, then deploy changed to helm at the summary: refused in one line, nothing written', async () => {
  const dir = tmp();
  const pty = await cli(
    [
      'orders',
      '--module',
      'example.com/x',
      '--description',
      'x',
      '--go-version',
      '1.26',
      '--port',
      '8080',
      '--image',
      'x',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-tracing',
      '--automaxprocs',
      '--database',
      'none',
      '--deploy',
      'gitops',
      '--gitops-repo-starter',
      'envs',
      ...CATALOG,
      '--no-git',
      '--no-install',
    ],
    dir,
  );
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'e\r');
  // name, module, description, go-version, port, image, ci, base-image, metrics, tracing, automaxprocs, database, deploy
  await answer(pty, /\? Which answer\?[\s\S]*deploy +GitOps/, KEY.down.repeat(12) + '\r');
  await answer(pty, /\? How environments are deployed/, KEY.up + '\r');
  const summary = await answer(pty, '? Write the project? (Y/n, e to edit an answer)', 'y\r');
  assert.match(summary, /deploy +helm/);
  const exit = await pty.waitExit();
  assert.is(exit.code, 2, pty.text());
  assert.match(pty.text(), /--gitops-repo-starter needs --deploy gitops/);
  assert.equal(readdirSync(dir), []);
});

test.run();
