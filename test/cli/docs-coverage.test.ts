// Everything a user can see is documented under docs/: every flag that `--help` of the built CLI
// (dist/cli.cjs) lists, for create and for each command, every command, every rule of `check`,
// and every setting of the generated service (the configuration tables of the committed
// examples' READMEs). A flag added without its documentation fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/tools.js';

const root = repoRoot();

function pagesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return e === 'work-notes' ? [] : pagesUnder(p);
    return p.endsWith('.md') ? [p] : [];
  });
}

/** docs/ as one text: the user and contributor pages (the work notes are history, not documentation). */
const docs = pagesUnder(join(root, 'docs'))
  .map((p) => readFileSync(p, 'utf8'))
  .join('\n');
const page = (rel: string) => readFileSync(join(root, 'docs', rel), 'utf8');

/** The flags a help text lists, without the `[no-]` of a boolean: `--name`, `--metrics`, `-y`. */
function helpFlags(help: string): string[] {
  const flags = [...help.matchAll(/(?<![\w-])(--(?:\[no-\])?[a-z](?:[a-z0-9-]*[a-z0-9])?|-[a-z])(?![\w-])/g)].map((m) =>
    m[1]!.replace('[no-]', ''),
  );
  return [...new Set(flags)];
}

/** The flag is written in the docs: `--name`, `--[no-]name` or `--no-name`, as a whole word. */
function documented(flag: string): boolean {
  const name = flag.replace(/^--?/, '');
  const pattern = flag.startsWith('--') ? `--(?:\\[no-\\]|no-)?${name}` : `-${name}`;
  return new RegExp(`(?<![\\w-])${pattern}(?![\\w-])`).test(docs);
}

/** The commands of the top-level `--help`: `regen`, `update`, ..., `preset init`. */
function commands(help: string): string[] {
  const section = help.slice(help.indexOf('\nCommands:'), help.indexOf('\n\n', help.indexOf('\nCommands:') + 1));
  return [...section.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)(?= |$)/gm)].map((m) => m[1]!);
}

test('the flags are read from the help text as a reader sees them', () => {
  const help = '  --name <name>   a name\n  --[no-]metrics  on\n  -y, --yes  take defaults; see --help\n  npm_config_yes  a-b --x-';
  assert.equal(helpFlags(help), ['--name', '--metrics', '-y', '--yes', '--help']);
});

test('every flag of create --help is documented under docs/', async () => {
  const r = await runCli(['--help']);
  assert.is(r.exitCode, 0, r.stderr);
  const flags = helpFlags(r.stdout);
  assert.ok(flags.length > 30, `only ${flags.length} flags found in --help`);
  assert.equal(
    flags.filter((f) => !documented(f)),
    [],
    'flags of --help missing from docs/',
  );
});

test('every command of --help is documented under docs/, and so is every flag of its own --help', async () => {
  const top = (await runCli(['--help'])).stdout;
  const names = commands(top);
  assert.ok(names.includes('regen') && names.includes('preset init'), names.join(', '));
  for (const command of names) {
    assert.ok(docs.includes(`\`${command}`), `docs/ never names the command \`${command}\``);
    const r = await runCli([command.split(' ')[0]!, '--help']);
    assert.is(r.exitCode, 0, `${command} --help: ${r.stderr}`);
    assert.equal(
      helpFlags(r.stdout).filter((f) => !documented(f)),
      [],
      `flags of ${command} --help missing from docs/`,
    );
  }
});

test('every rule of check --help has a row in the rule table of docs/fleets.md', async () => {
  const help = (await runCli(['check', '--help'])).stdout;
  const at = help.indexOf('\nRules');
  const rules = [...help.slice(at, help.indexOf('\n\n', at + 1)).matchAll(/^ {2}([a-z][a-z-]+) /gm)].map((m) => m[1]!);
  assert.ok(rules.length >= 10, rules.join(', '));
  const table = page('fleets.md');
  assert.equal(
    rules.filter((rule) => !table.includes(`| \`${rule}\` |`)),
    [],
    'rules missing from docs/fleets.md',
  );
});

test("every setting of the generated service (the examples' configuration tables) is in docs/service.md", () => {
  const settings = new Set<string>();
  for (const example of readdirSync(join(root, 'examples'))) {
    const readme = join(root, 'examples', example, 'README.md');
    if (!statSync(join(root, 'examples', example)).isDirectory()) continue;
    const text = readFileSync(readme, 'utf8');
    const at = text.indexOf('\n## Configuration');
    assert.ok(at > 0, `${example}/README.md has no Configuration section`);
    for (const m of text.slice(at, text.indexOf('\n## ', at + 1)).matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)) settings.add(m[1]!);
  }
  assert.ok(settings.size > 25, [...settings].join(', '));
  const service = page('service.md');
  assert.equal(
    [...settings].filter((s) => !service.includes(`| \`${s}\` |`)),
    [],
    'settings missing from docs/service.md',
  );
});

test.run();
