// The create command as automation sees it: no TTY, flags, answers files, dry runs, JSON,
// safe writes and exit codes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';
import { go } from '../support/go.js';

const ANSI = /\u001b\[/;
const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-cli-'));

test('--help lists every question flag and the exit codes', async () => {
  const r = await runCli(['--help']);
  assert.is(r.exitCode, 0);
  for (const flag of [
    '--name',
    '--module',
    '--description',
    '--go-version',
    '--port',
    '--image',
    '--ci',
    '--base-image',
    '--[no-]metrics',
    '--[no-]tracing',
    '--yes',
    '--answers',
    '--dry-run',
    '--json',
    '--force',
    '--no-git',
    '--no-install',
  ]) {
    assert.ok(r.stdout.includes(flag), `--help lacks ${flag}`);
  }
  assert.match(r.stdout, /Exit codes:[\s\S]*130/);
  assert.not.match(r.stdout, ANSI);
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const r = await runCli(['--version']);
  assert.is(r.exitCode, 0);
  assert.is(r.stdout.trim(), pkg.version);
});

test('without a TTY and without --yes, missing answers exit 2 quickly, listing the flags', async () => {
  const dir = tmp();
  const started = Date.now();
  const r = await runCli([join(dir, 'svc')]);
  assert.is(r.exitCode, 2);
  assert.ok(Date.now() - started < 5000, 'took too long: did it wait for input?');
  assert.match(r.stderr, /missing --module, --description/);
  assert.not.match(r.stderr + r.stdout, ANSI);
  assert.not.ok(existsSync(join(dir, 'svc')));
});

test('without a TTY, the missing-answers error says both ways to pass --yes, npm create needing it after --', async () => {
  const r = await runCli(['demo'], { cwd: tmp() });
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^error: missing --module, .* \(no TTY to ask\): pass them as flags, or --yes to take the defaults; through npm create, --yes goes after --: npm create go-k8s-service demo -- --yes$/,
  );
});

test('npm_config_yes=true, which npm sets when it swallows --yes, counts as --yes', async () => {
  const dir = tmp();
  const r = await runCli(['demo', '--no-git', '--no-install'], { cwd: dir, env: { npm_config_yes: 'true' } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'demo', 'go.mod')));
  // Any other value is not a yes.
  const no = await runCli(['other', '--no-git', '--no-install'], { cwd: dir, env: { npm_config_yes: 'false' } });
  assert.is(no.exitCode, 2, no.stderr);
});

test('through real npm, a --yes that npm takes for itself still takes the defaults', async () => {
  const dir = tmp();
  const root = new URL('../..', import.meta.url).pathname;
  // `npm create go-k8s-service demo --yes` is `npm exec` of our bin with npm's own --yes.
  const r = await execa('npm', ['exec', '--yes', `--package=${root}`, '--', 'create-go-k8s-service', 'demo', '--no-git', '--no-install'], {
    cwd: dir,
    env: { NO_COLOR: '1', CI: 'true' },
    reject: false,
    stdin: 'ignore',
  });
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'demo', 'go.mod')));
});

test('without a target directory or --name, --yes still needs the name', async () => {
  const r = await runCli(['--yes'], { cwd: tmp() });
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /missing --name/);
});

test('an unknown flag exits 2 with a suggestion', async () => {
  const r = await runCli(['svc', '--yes', '--metircs']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /unknown flag --metircs \(did you mean --metrics\?\)/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

for (const [flag, value, rule] of [
  ['--port', '80', /--port: 80 must be an integer from 1024 to 65535/],
  ['--port', 'abc', /--port: "abc" must be an integer from 1024 to 65535/],
  ['--name', 'Bad_Name', /--name: "Bad_Name" must be a DNS-1123 label/],
  ['--module', 'nodomain/x', /--module: "nodomain\/x" must start with a domain name/],
  ['--go-version', '1.24', /--go-version: "1.24" must be 1\.25 or newer/],
  ['--ci', 'jenkins', /--ci: "jenkins" must be one of github, gitlab, none/],
  ['--image', 'ghcr.io/acme/svc:latest', /--image: .* without tag/],
  // Versions that can never build: only released ones and the next are taken.
  ['--go-version', '1.99', /^error: --go-version: "1\.99" is not a released Go version \(the newest this generator knows is 1\.\d+/],
  ['--go-version', '1.100', /^error: --go-version: "1\.100" is not a released Go version /],
  // Names and module paths the go command treats specially (see the go build test below).
  ['--name', 'vendor', /^error: --name: "vendor" must not be vendor or testdata: Go treats directories of those names specially/],
  ['--name', 'testdata', /^error: --name: "testdata" must not be vendor or testdata/],
  ['--module', 'example.com/vendor/svc', /^error: --module: "example\.com\/vendor\/svc" must not have a "vendor" path element/],
  // An empty description would leave blank lines in the README and an empty doc comment.
  ['--description', '', /^error: --description: "" must not be empty \(leave it out for the default\)$/],
] as const) {
  test(`${flag} ${value} exits 2 with one line naming the flag and the rule, writing nothing`, async () => {
    const dir = tmp();
    const r = await runCli([join(dir, 'svc'), '--yes', flag, value]);
    assert.is(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, rule);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readdirSync(dir), []);
  });
}

test('an empty directory argument is a usage error, not the current directory', async () => {
  const dir = tmp();
  for (const args of [[''], ['', '--name', 'svc'], ['create', '']]) {
    const r = await runCli([...args, '--yes', '--no-git', '--no-install'], { cwd: dir });
    assert.is(r.exitCode, 2, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.is(r.stderr.trim(), 'error: the target directory is empty (""): name a directory, or leave it out to use ./<name>');
    assert.equal(readdirSync(dir), []);
  }
});

test('the directory name vendor is refused like --name vendor, naming the rule', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'vendor'), '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 2);
  assert.match(
    r.stderr.trim(),
    /^error: --name: "vendor" must not be vendor or testdata: .*\(taken from the directory name; pass --name to choose another\)$/,
  );
  assert.equal(readdirSync(dir), []);
});

test('internal, a name Go treats specially but harmlessly, builds and vets with go ./...', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'internal'), '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 0, r.stderr);
  const repo = join(dir, 'internal');
  for (const args of [
    ['build', './...'],
    ['vet', './...'],
  ]) {
    const g = await go(repo, args);
    assert.is(g.exitCode, 0, `go ${args.join(' ')}: ${g.all}`);
  }
  const list = await go(repo, ['list', './...']);
  assert.match(list.stdout, /^github\.com\/example\/internal\/cmd\/internal$/m, 'main left out of ./...');
  // The description left out (the way to get no description of one's own) renders clean Go.
  const fmt = await execa('gofmt', ['-l', '.'], { cwd: repo, reject: false });
  assert.is(fmt.exitCode, 0, fmt.stderr);
  assert.is(fmt.stdout, '', `not gofmt-clean: ${fmt.stdout}`);
  assert.match(readFileSync(join(repo, 'cmd', 'internal', 'main.go'), 'utf8'), /internal is a Go service for Kubernetes\./);
});

test('a directory name that is not a valid service name is refused with the reason', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'My Service'), '--yes']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /--name: "My Service" .*taken from the directory name/);
  assert.equal(readdirSync(dir), []);
});

test('--dry-run writes nothing and lists every file; --json puts only JSON on stdout', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--dry-run', '--json']);
  assert.is(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.dryRun);
  assert.ok(result.files.includes('go.mod'));
  assert.ok(result.files.includes('.go-k8s-service.json'));
  assert.ok(result.files.includes('charts/svc/Chart.yaml'));
  for (const f of result.files) assert.ok(r.stderr.includes(`  ${f}`), `${f} not listed for humans`);
  assert.equal(readdirSync(dir), []);
  // The list is exactly what a real run writes, for other answers too.
  for (const flags of [[], ['--ci', 'gitlab', '--no-metrics', '--tracing']]) {
    const dry = await runCli([join(dir, 'svc'), '--yes', '--dry-run', '--json', ...flags]);
    const real = await runCli([join(dir, 'svc'), '--yes', '--json', '--no-git', '--no-install', ...flags]);
    assert.is(real.exitCode, 0, real.stderr);
    assert.equal(JSON.parse(dry.stdout).files, JSON.parse(real.stdout).files, flags.join(' '));
    rmSync(join(dir, 'svc'), { recursive: true });
  }
});

test('a non-empty target is refused and left untouched; --force writes into it', async () => {
  const dir = tmp();
  const target = join(dir, 'svc');
  mkdirSync(target);
  writeFileSync(join(target, 'notes.txt'), 'mine');
  const r = await runCli([target, '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 1);
  assert.match(r.stderr, /is not empty \(notes\.txt\).*--force/);
  assert.equal(readdirSync(target), ['notes.txt']);
  const forced = await runCli([target, '--yes', '--no-git', '--no-install', '--force']);
  assert.is(forced.exitCode, 0, forced.stderr);
  assert.is(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
  assert.ok(existsSync(join(target, 'go.mod')));
});

test('a directory holding only .git counts as empty', async () => {
  const target = join(tmp(), 'svc');
  mkdirSync(join(target, '.git'), { recursive: true });
  const r = await runCli([target, '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(existsSync(join(target, 'Makefile')));
});

test('--answers reads JSON and YAML; flags win over the file', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.yaml'), 'name: from-yaml\nport: 9000\nci: gitlab\nmetrics: false\ngo-version: "1.25"\n');
  const r = await runCli(['--answers', join(dir, 'a.yaml'), '--yes', '--port', '9001', '--dry-run', '--json'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const { answers } = JSON.parse(r.stdout);
  assert.is(answers.name, 'from-yaml');
  assert.is(answers.port, 9001);
  assert.is(answers.ci, 'gitlab');
  assert.is(answers.metrics, false);
  assert.is(answers.goVersion, '1.25');
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'from-json', tracing: true }));
  const j = await runCli(['--answers', join(dir, 'a.json'), '--yes', '--dry-run', '--json'], { cwd: dir });
  assert.is(JSON.parse(j.stdout).answers.tracing, true);
});

test('--answers with an unknown key or a bad value exits 2 naming it', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'x', colour: 'blue' }));
  const r = await runCli(['--answers', join(dir, 'a.json'), '--yes'], { cwd: dir });
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /unknown key "colour"/);
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'x', port: 'eighty' }));
  const b = await runCli(['--answers', join(dir, 'b.json'), '--yes'], { cwd: dir });
  assert.is(b.exitCode, 2);
  assert.match(b.stderr, /--port: "eighty" must be an integer from 1024 to 65535/);
});

test('--help fits 80 columns and carries every question of the registry, with its help text', async () => {
  const { QUESTIONS } = await import('../../generators/model/questions.js');
  const r = await runCli(['--help']);
  const long = r.stdout.split('\n').filter((l) => l.length > 80);
  assert.equal(long, [], 'lines wider than 80 columns');
  const flat = r.stdout.replace(/\s+/g, ' ');
  for (const q of QUESTIONS) {
    assert.ok(flat.includes(q.help.replace(/\s+/g, ' ')), `--help lacks the help of ${q.key}`);
    if (q.type === 'choice') assert.ok(flat.includes(`--${q.flag} ${q.choices.map((c) => c.value).join('|')}`), q.flag);
  }
});

test('the exit codes in --help are the ones docs/using.md documents', async () => {
  const { EXIT_CODES } = await import('../../generators/cli/cli-args.js');
  const page = readFileSync(new URL('../../docs/using.md', import.meta.url), 'utf8');
  const at = page.indexOf('\n## Exit codes');
  assert.ok(at > 0, 'docs/using.md has no "## Exit codes"');
  const documented = [...page.slice(at, page.indexOf('\n## ', at + 1)).matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
  assert.equal(
    documented,
    EXIT_CODES.map(([c]) => c),
  );
});

test('the environment variables in --help are the ones docs/using.md documents', async () => {
  const { ENVIRONMENT } = await import('../../generators/cli/cli-args.js');
  const page = readFileSync(new URL('../../docs/using.md', import.meta.url), 'utf8');
  const at = page.indexOf('\n## Environment');
  assert.ok(at > 0, 'docs/using.md has no "## Environment"');
  const section = page.slice(at, page.indexOf('\n## ', at + 1));
  const documented = [...section.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.equal(
    documented,
    ENVIRONMENT.map(([name]) => name),
  );
  const help = (await runCli(['--help'])).stdout;
  for (const [name] of ENVIRONMENT) assert.match(help, new RegExp(`^  ${name}(\\s|$)`, 'm'));
});

for (const [args, message] of [
  [['--metrics=false'], /^error: --metrics takes no value: write --metrics or --no-metrics$/],
  [['--yes=1'], /^error: --yes takes no value$/],
  [['--description', '-x'], /^error: --description needs a value \(one starting with "-" is written --description=<value>\)$/],
  [['--name'], /^error: --name needs a value; see --help$/],
  [['-x'], /^error: unknown flag -x; see --help$/],
  [['--portt', '9000'], /^error: unknown flag --portt \(did you mean --port\?\); see --help$/],
  [['a', 'b'], /^error: expected at most one target directory, got 2: a b$/],
] as const) {
  test(`${args.join(' ')}: exit 2 with one line saying what is wrong`, async () => {
    const dir = tmp();
    const r = await runCli(['--yes', ...args], { cwd: dir });
    assert.is(r.exitCode, 2, r.stderr);
    assert.match(r.stderr.trim(), message);
    assert.equal(readdirSync(dir), []);
  });
}

test('a value starting with "-" is given as --flag=value', async () => {
  const r = await runCli(['svc', '--yes', '--description=- a list item, really', '--dry-run', '--json'], { cwd: tmp() });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).answers.description, '- a list item, really');
});

test('without a TTY, a wrong value is reported before missing ones', async () => {
  const r = await runCli(['svc', '--port', '80'], { cwd: tmp() });
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /^error: --port: 80 must be an integer/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('missing answers in --json mode: the missing flags as a list on stdout', async () => {
  const r = await runCli(['svc', '--module', 'example.com/svc', '--json'], { cwd: tmp() });
  assert.is(r.exitCode, 2);
  const result = JSON.parse(r.stdout);
  assert.equal(result.missing, [
    '--description',
    '--go-version',
    '--port',
    '--image',
    '--ci',
    '--base-image',
    '--[no-]metrics',
    '--[no-]tracing',
    '--[no-]automaxprocs',
    '--[no-]sign',
    '--[no-]update-job',
    '--database',
    '--deploy',
    '--owner',
    '--system',
    '--lifecycle',
  ]);
  assert.is(result.exitCode, 2);
});

test('a hostile value is echoed on one line, control characters escaped, long values cut', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--name', '\u001b[31mred\u009b2J\u202e'], { cwd: dir });
  assert.is(r.exitCode, 2);
  assert.is(
    r.stderr.trim(),
    'error: --name: "\\u001b[31mred\\u009b2J\\u202e" must be a DNS-1123 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
  );
  const long = await runCli([join(dir, 'svc'), '--yes', '--description', 'x'.repeat(5000)], { cwd: dir });
  assert.is(long.exitCode, 2);
  assert.ok(long.stderr.length < 200, long.stderr);
  assert.match(long.stderr, /^error: --description: "x{60}…" \(5000 characters\) must be at most 300 characters$/m);
  assert.equal(readdirSync(dir), []);
});

test('answers files: errors name the file; YAML numbers for text, duplicate keys and nulls are handled', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'x', port: 'eighty' }));
  const bad = await runCli(['--answers', join(dir, 'bad.json'), '--yes'], { cwd: dir });
  assert.match(
    bad.stderr.trim(),
    new RegExp(
      `^error: --port: "eighty" must be an integer from 1024 to 65535 \\(the container runs without privileges\\) \\(in ${join(dir, 'bad.json')}\\)$`,
    ),
  );
  // A flag overrides the file's bad value, so the file is not blamed.
  const fixed = await runCli(['--answers', join(dir, 'bad.json'), '--yes', '--port', '9000', '--dry-run'], { cwd: dir });
  assert.is(fixed.exitCode, 0, fixed.stderr);

  writeFileSync(join(dir, 'num.yaml'), 'name: x\ngo-version: 1.30\n');
  const num = await runCli(['--answers', join(dir, 'num.yaml'), '--yes'], { cwd: dir });
  assert.is(num.exitCode, 2);
  assert.match(num.stderr, /--go-version: 1\.3 must be a string \(quote it in an answers file\)/);

  writeFileSync(join(dir, 'dup.yaml'), 'name: x\nport: 9000\nport: 9001\n');
  const dup = await runCli(['--answers', join(dir, 'dup.yaml'), '--yes'], { cwd: dir });
  assert.is(dup.exitCode, 2);
  assert.match(dup.stderr, /not valid YAML: the key "\w+" is given twice \(line \d+, column \d+\)$/m);

  writeFileSync(join(dir, 'both.yaml'), 'name: x\ngo-version: "1.25"\ngoVersion: "1.26"\n');
  const both = await runCli(['--answers', join(dir, 'both.yaml'), '--yes'], { cwd: dir });
  assert.is(both.exitCode, 2);
  assert.match(both.stderr, /goVersion is given twice/);

  // No extension: read as YAML (JSON is YAML too). An empty value takes the default.
  writeFileSync(join(dir, 'answers'), 'name: x\ndescription:\nport: 9002\n');
  const plain = await runCli(['--answers', join(dir, 'answers'), '--yes', '--dry-run', '--json'], { cwd: dir });
  assert.is(plain.exitCode, 0, plain.stderr);
  const { answers } = JSON.parse(plain.stdout);
  assert.is(answers.port, 9002);
  assert.is(answers.description, 'x is a Go service for Kubernetes.');
});

test("a generated repo's .go-k8s-service.json works as an answers file", async () => {
  const dir = tmp();
  const first = await runCli([
    join(dir, 'orders'),
    '--yes',
    '--port',
    '9300',
    '--ci',
    'gitlab',
    '--tracing',
    '--no-git',
    '--no-install',
    '--json',
  ]);
  assert.is(first.exitCode, 0, first.stderr);
  const again = await runCli([join(dir, 'copy'), '--answers', join(dir, 'orders', '.go-k8s-service.json'), '--dry-run', '--json']);
  assert.is(again.exitCode, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).answers, JSON.parse(first.stdout).answers);
});

test('next steps pin the regen hint to this version, whatever package manager ran us (@latest would refuse the repo after the next release)', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const agent of [
    'pnpm/9.0.0 npm/? node/v20.0.0 linux x64',
    'yarn/1.22.0 npm/? node/v20.0.0 linux x64',
    'npm/10.0.0 node/v20.0.0 linux x64',
    '',
  ]) {
    const dir = tmp();
    const r = await runCli(['svc', '--yes', '--no-git', '--no-install', '--port', '9001'], {
      cwd: dir,
      env: { npm_config_user_agent: agent },
    });
    assert.is(r.exitCode, 0, r.stderr);
    assert.ok(r.stdout.includes(`npx create-go-k8s-service@${version} regen dockerfile`), r.stdout);
    assert.match(r.stdout, /Next steps:\n {2}cd svc\n {2}go mod download\n {2}make test .*\n {2}make run .*localhost:9001/);
  }
});

test('a write the file system refuses exits 1 with one line and no bug report', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'file'), 'x');
  const r = await runCli([join(dir, 'file', 'svc'), '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 1);
  assert.match(r.stderr.trim(), /^error: cannot write: ENOTDIR: not a directory, .*; nothing was written$/);
  assert.equal(readdirSync(dir), ['file']);
});

test('a generated repo is a git repo with one commit, unless --no-git', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--no-install', '--json']);
  assert.is(r.exitCode, 0, r.stderr);
  const steps = JSON.parse(r.stdout).postSteps as { name: string; status: string }[];
  assert.equal(steps.find((s) => s.name === 'git')?.status, 'done');
  // Without a TTY, slow steps show as plain lines (no spinner frames) on stderr.
  assert.match(r.stderr, /^Creating a git repository with a first commit…$/m);
  assert.not.match(r.stderr, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\r/);
  const log = await execa('git', ['log', '--oneline'], { cwd: join(dir, 'svc') });
  assert.is(log.stdout.trim().split('\n').length, 1);
  const status = await execa('git', ['status', '--porcelain'], { cwd: join(dir, 'svc') });
  assert.is(status.stdout, '', 'files left out of the first commit');
});

test('inside another git work tree: no nested git init, one line saying so, and the next steps commit there', async () => {
  const outer = realpathSync(tmp());
  await execa('git', ['init', '--quiet'], { cwd: outer });
  mkdirSync(join(outer, 'services'));
  const r = await runCli(['svc', '--yes', '--no-install', '--json'], { cwd: join(outer, 'services') });
  assert.is(r.exitCode, 0, r.stderr);
  const repo = join(outer, 'services', 'svc');
  assert.ok(existsSync(join(repo, 'go.mod')));
  assert.not.ok(existsSync(join(repo, '.git')), 'a nested repository was created');
  const git = (JSON.parse(r.stdout).postSteps as { name: string; status: string; enclosingWorkTree?: string }[]).find(
    (s) => s.name === 'git',
  );
  assert.equal(git, { name: 'git', status: 'skipped', detail: `inside the git work tree at ${outer}`, enclosingWorkTree: outer });
  const notice = r.stderr.split('\n').filter((l) => l.includes('git init'));
  assert.equal(notice, [
    `! No git init: svc is inside the git work tree at ${outer}, and a repository inside another is rarely meant; for one of its own anyway: cd svc && git init && git add -A && git commit -m "Initial commit"`,
  ]);
  assert.match(
    r.stderr,
    new RegExp(
      `Next steps:\\n  cd svc\\n  git add \\. && git commit -m "Add svc"   # in the repository at ${outer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`,
    ),
  );
  // The next steps do what they say: the files land in the enclosing repository.
  const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  await execa('sh', ['-c', 'git add . && git commit -q -m "Add svc"'], { cwd: repo, env });
  const tracked = await execa('git', ['ls-files'], { cwd: outer });
  assert.ok(tracked.stdout.split('\n').includes('services/svc/go.mod'), tracked.stdout);
  // So does the command for a repository of its own.
  rmSync(repo, { recursive: true });
  await runCli(['svc', '--yes', '--no-install', '--no-git'], { cwd: join(outer, 'services') });
  await execa('sh', ['-c', 'cd svc && git init -q && git add -A && git commit -q -m "Initial commit"'], {
    cwd: join(outer, 'services'),
    env,
  });
  assert.is((await execa('git', ['rev-parse', '--show-toplevel'], { cwd: repo })).stdout, repo);
});

test('a target that is the top of its own work tree still gets its first commit', async () => {
  const target = join(tmp(), 'svc');
  mkdirSync(target);
  await execa('git', ['init', '--quiet'], { cwd: target });
  const r = await runCli([target, '--yes', '--no-install']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /✔ Created a git repository with a first commit/);
  assert.is((await execa('git', ['log', '--oneline'], { cwd: target })).stdout.trim().split('\n').length, 1);
});

test('a missing git or go is a warning with the command to run later, not a failure', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--json'], { env: { PATH: '/nonexistent' } });
  assert.is(r.exitCode, 0, r.stderr);
  const steps = JSON.parse(r.stdout).postSteps as { name: string; status: string; detail: string }[];
  for (const s of steps) {
    assert.is(s.status, 'failed');
    assert.match(s.detail, /not installed; run `/);
  }
  assert.match(r.stderr, /warning: go: not installed; run `go mod download`/);
  // The next steps carry what did not happen.
  assert.match(r.stderr, /Next steps:\n {2}cd .*svc\n {2}git init && git add -A && git commit -m "Initial commit"\n {2}go mod download\n/);
});

test.run();
