// What npm ships: the packed tarball holds the bundle and every template (dotfiles
// included), installs into a clean prefix with nothing else, and generates exactly what
// the checkout generates, which is exactly what the templates render at run time.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';
import { render } from '../support/generate.js';
import { assertSameTree, readTree } from '../support/tree.js';
import { EXAMPLE } from '../support/preset.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cgks-pack-'));
let tarball = '';

test.before(async () => {
  // --ignore-scripts: `prepack` would rebuild dist/ under the test files running beside this one
  // (npm test builds it first).
  const r = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
    env: { npm_config_loglevel: 'error' },
  });
  const [info] = JSON.parse(r.stdout) as { filename: string }[];
  tarball = join(work, info!.filename);
});

test('the tarball holds the bundle and every template, dotfile templates included', async () => {
  const list = (await execa('tar', ['tzf', tarball])).stdout.split('\n').map((l) => l.replace(/^package\//, ''));
  assert.ok(list.includes('dist/cli.cjs'), 'the bin');
  assert.ok(list.includes('dist/program.cjs'), 'the program it runs');
  assert.ok(list.includes('dist/inquirer.cjs'), 'the prompts it loads when asking');
  assert.ok(list.includes('dist/handlebars.cjs'), "the compiler it loads for a preset's templates");
  assert.ok(list.includes('dist/preset-schema.cjs'), "the validator it loads for a preset's manifest");
  assert.ok(list.includes('schema/go-k8s-service-preset.schema.json'), "the manifest's schema, for preset authors' editors");
  const templates = [...readTree(join(root, 'templates')).keys()].map((p) => `templates/${p}`);
  assert.ok(templates.length > 40, `only ${templates.length} templates`);
  for (const t of templates) assert.ok(list.includes(t), `${t} missing from the tarball`);
  assert.ok(list.some((p) => /templates\/dot_gitignore\.hbs$/.test(p)));
  assert.not.ok(list.some((p) => p.startsWith('test/') || p.startsWith('node_modules/')));
});

test('the package ships the licence its package.json names', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
  const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, env: { npm_config_loglevel: 'error' } });
  const [info] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  assert.ok(
    info!.files.some((f) => f.path === 'LICENSE'),
    'LICENSE is not in the packed file list',
  );
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.is(pkg.license, 'MIT');
  assert.is(text.split('\n')[0], `${pkg.license} License`);
  assert.match(text, /^Copyright \(c\) 2026 create-go-k8s-service contributors$/m);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});

test('the package has no runtime dependencies and runs no script when installed (it builds on prepack)', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies ?? {}, {});
  // prepare runs on a plain `npm install` in the checkout and on installs from git, and npm 11
  // warns about it; prepack runs only when a tarball is made.
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.not.ok(pkg.scripts?.[s], `${s} script`);
  assert.match(pkg.scripts?.prepack ?? '', /npm run build/);
});

test('installed from the tarball into a clean prefix, it generates what the checkout and the templates generate', async () => {
  const prefix = join(work, 'prefix');
  await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tarball]);
  const installed = readdirSync(join(prefix, 'node_modules')).filter((d) => !d.startsWith('.'));
  assert.equal(installed, ['create-go-k8s-service'], 'it pulled in other packages');
  const bin = join(prefix, 'node_modules', '.bin', 'create-go-k8s-service');
  const fromPackage = join(work, 'from-package', 'svc');
  const r = await execa(
    bin,
    [fromPackage, '--yes', '--no-git', '--no-install', '--go-version', '1.26', '--description', 'a {{ b }} & "c"'],
    { reject: false },
  );
  assert.is(r.exitCode, 0, r.stderr);
  const fromCheckout = join(work, 'from-checkout', 'svc');
  const c = await runCli([fromCheckout, '--yes', '--no-git', '--no-install', '--go-version', '1.26', '--description', 'a {{ b }} & "c"']);
  assert.is(c.exitCode, 0, c.stderr);
  const a = assertSameTree(fromPackage, fromCheckout);
  // The bundle's precompiled templates render exactly what run-time compilation renders.
  for (const f of render({ name: 'svc', description: 'a {{ b }} & "c"' })) {
    assert.is(a.get(f.path)?.toString(), f.content, `${f.path}: precompiled and run-time rendering differ`);
  }
  assert.ok(a.has('.gitignore') && a.has('.dockerignore') && a.has('.editorconfig'));
});

test('installed from the tarball, a preset works (its templates compiled by the shipped compiler) and renders what the checkout renders', async () => {
  const prefix = join(work, 'prefix-preset');
  await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tarball]);
  const bin = join(prefix, 'node_modules', '.bin', 'create-go-k8s-service');
  const args = ['--yes', '--no-git', '--no-install', '--go-version', '1.26', '--preset', EXAMPLE, '--set', 'team=payments'];
  const fromPackage = join(work, 'preset-from-package', 'svc');
  const r = await execa(bin, [fromPackage, ...args], { reject: false });
  assert.is(r.exitCode, 0, r.stderr);
  const fromCheckout = join(work, 'preset-from-checkout', 'svc');
  const c = await runCli([fromCheckout, ...args]);
  assert.is(c.exitCode, 0, c.stderr);
  const a = assertSameTree(fromPackage, fromCheckout);
  assert.match(a.get('CODEOWNERS')!.toString(), /^\* @acme\/payments$/m);
});

test.run();
