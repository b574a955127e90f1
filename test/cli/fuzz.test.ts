// Hostile and malformed answers, for every question, by flag, by answers file and by
// directory name. Each run must either exit 2 with one line naming the field and write
// nothing, or succeed with output that still parses (Go, YAML, Makefile) and carries the
// text exactly as given. Most runs go through the command in-process (cli.ts's run()), a
// sample through the bundled CLI. Seeded: FUZZ_SEED=<n> repeats a run; FUZZ_KEEP=1 keeps
// the generated repos for a look.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import YAML from 'yaml';
import { run } from '../../generators/cli/cli.js';
import type { Output } from '../../generators/plumbing/output.js';
import { QUESTIONS, type AnswerKey, type Question } from '../../generators/model/questions.js';
import { runCli } from '../support/cli.js';
import { seededRandom } from '../support/random.js';
import { GO_ENV } from '../support/go.js';

// A new seed on every local run explores; in CI the seed comes from the commit, so a
// commit's run is repeatable and a failure is the commit's, not the dice's.
function commitSeed(): number | undefined {
  try {
    return parseInt(execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).slice(0, 7), 16);
  } catch {
    return undefined;
  }
}
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.CI ? commitSeed() : undefined) ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz seed ${SEED} (repeat with FUZZ_SEED=${SEED})`);

const random = seededRandom(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const Q = (key: AnswerKey): Question => QUESTIONS.find((q) => q.key === key)!;

/** Pieces of trouble for templates, YAML, Makefiles, shells, paths and terminals. */
const FRAGMENTS = [
  '',
  ' ',
  '  ',
  '.',
  '..',
  '../',
  '../../etc/passwd',
  '/',
  '/abs/path',
  '\\',
  'C:\\x',
  '~',
  '~1',
  '-',
  '--',
  '_',
  'ünïcödé',
  '日本語',
  '😀',
  'ﬁ',
  'İ',
  '\u200b',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\u00a0',
  '\u2028',
  '\u0085',
  '\u009b',
  'UPPER',
  'MiXeD',
  'a.b',
  'a_b',
  'a b',
  'a..b',
  'x/v1',
  'x/v0',
  'con',
  'aux.txt',
  '{{',
  '}}',
  '{{name}}',
  '{{{raw}}}',
  '{{> partial}}',
  '{{!-- c --}}',
  '\\{{x}}',
  '${{ secrets.TOKEN }}',
  '${{',
  '${X}',
  '$X',
  '$$',
  '$(shell id)',
  '$(rm -rf ~)',
  '"',
  "'",
  '\\"',
  '`',
  '`id`',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\u0000',
  '\u001b[31m',
  '\u007f',
  '- ',
  ': ',
  '? ',
  '*a',
  '&a',
  '!tag',
  '!!binary',
  '%',
  '%YAML 1.2',
  '@',
  '#',
  '# comment',
  ' #',
  '|',
  '>',
  '[',
  ']',
  '{',
  '}',
  ',',
  '---',
  '...',
  "''",
  '``',
  '```',
  'https://x.io/a',
  '[Name]',
  '[io.Reader]',
  '<b>',
  '&amp;',
  '<!--',
  '*/',
  '/*',
  '//',
  'null',
  'true',
  'no',
  'NaN',
  '0x1F',
  '1e3',
  '-1',
  '0',
  '65536',
  '08080',
  'a'.repeat(54),
  'a'.repeat(301),
  'ab'.repeat(150),
];

/** A valid value for each text question, to be spoiled. */
const BASE: Record<Exclude<AnswerKey, 'metrics' | 'tracing' | 'automaxprocs' | 'sign' | 'updateJob'>, string> = {
  name: 'orders',
  module: 'github.com/acme/orders',
  description: 'Orders service',
  goVersion: '1.26',
  port: '8080',
  image: 'ghcr.io/acme/orders',
  ci: 'github',
  baseImage: 'distroless',
  owner: 'group:default/acme',
  system: 'system:default/shop',
  lifecycle: 'experimental',
  database: 'none',
  deploy: 'helm',
};

function mutate(base: string): string {
  const f = pick(FRAGMENTS);
  const at = int(base.length + 1);
  switch (int(8)) {
    case 0:
      return f;
    case 1:
      return base.slice(0, at) + f + base.slice(at);
    case 2:
      return f + base;
    case 3:
      return base + f;
    case 4:
      return base.toUpperCase();
    case 5:
      return base.repeat(2 + int(60));
    case 6:
      return Array.from({ length: 1 + int(20) }, () => pick([...'aZ09-._~/:@#%&*!?"\'`{}[]$\\ éü😀\t\n'])).join('');
    default:
      return pick(FRAGMENTS) + f + pick(FRAGMENTS);
  }
}

type Via = 'flag' | 'json' | 'yaml' | 'dir';
interface Case {
  id: number;
  key: AnswerKey;
  value: unknown;
  via: Via;
  /** For values whose outcome is known in advance. */
  must?: 'reject' | 'accept';
  /** Run through the bundled CLI rather than in-process. */
  cli?: boolean;
}

const cases: Case[] = [];
const add = (key: AnswerKey, value: unknown, via: Via, must?: Case['must']) => cases.push({ id: cases.length, key, value, via, must });

// Known outcomes, spread over every question.
const KNOWN: [AnswerKey, 'reject' | 'accept', unknown[]][] = [
  [
    'name',
    'reject',
    [
      '',
      'Orders',
      'my_svc',
      'my.svc',
      'my svc',
      '../x',
      '/abs',
      'a'.repeat(54),
      '-x',
      'x-',
      '1x',
      'ünï',
      '{{name}}',
      '# x',
      'x\ny',
      'vendor',
      'testdata',
    ],
  ],
  ['name', 'accept', ['a', 'a'.repeat(53), 'x-1', 'a--b', 'internal']],
  [
    'module',
    'reject',
    [
      '',
      'orders',
      '../x',
      '/abs/x',
      'example.com/../x',
      'example.com/a b',
      'Example.com/x',
      'example.com/x/v1',
      'example.com/{{x}}',
      'example.com/x"y',
      'example.com/x\ny',
      'example.com/$x',
      'example.com/x`',
      'example.com//x',
      'example.com/x/',
      '-x.com/y',
      'example.com/con',
      'example.com/ü',
      'example.com/vendor/x',
      'example.com/x/vendor',
    ],
  ],
  ['module', 'accept', ['example.com/a~b/c', 'gitlab.com/Group/Proj', 'example.com/x/v2', 'example.com/x.y_z-w', 'a.b']],
  [
    'description',
    'accept',
    [
      '{{',
      '}}',
      '{{name}}',
      '{{{x}}}',
      '${{ secrets.TOKEN }}',
      '"quoted"',
      "it's",
      '`tick`',
      '- item',
      'a: b',
      '? q',
      '*a',
      '&a',
      '!tag',
      '%d %s',
      '@scope/pkg',
      '# heading',
      '#',
      'back\\slash',
      'trailing \\',
      'ünïcödé 😀 日本語',
      '<b>html</b> &amp;',
      'null',
      'true',
      '~',
      '0x10',
      '1e3',
      "'",
      '"',
      '\\',
      '$(rm -rf ~)',
      '${HOME}',
      '$$',
      'a:b # c',
      '---',
      '...',
      '|',
      '> folded',
      '[a, b]',
      '{a: b}',
      '%YAML 1.2',
      '*/ /*',
      '\u200b zero width',
      'x'.repeat(300),
      'a\u00a0b',
    ],
  ],
  [
    'description',
    'reject',
    [
      '',
      'a\nb',
      'a\rb',
      'tab\there',
      ' lead',
      'trail ',
      'x'.repeat(301),
      'a\u2028b',
      'a\u202eb',
      'a\u0085b',
      'nul\u0000',
      'esc\u001b[2J',
      'lone \ud800',
    ],
  ],
  [
    'goVersion',
    'reject',
    ['1.24', '1.025', '1', '2.0', '1.26.1', 'go1.26', ' 1.26', '1.26 ', 'abc', '', '1.2x', '１.２６', '1.1000', '1.999', '1.100', '1.99'],
  ],
  ['goVersion', 'accept', ['1.25', '1.26', '1.27']],
  ['goVersion', 'reject', ['1.28', '1.29']],
  [
    'port',
    'reject',
    ['0', '65536', 'abc', '-1', '1023', '80', '8080.5', '1e4', '0x1F90', '', ' ', '８０８０', '99999999999999999999', '+8080', '8080 8081'],
  ],
  ['port', 'accept', ['1024', '65535', '08080', '9090']],
  [
    'image',
    'reject',
    [
      '',
      'GHCR.io/Acme/x',
      'x:latest',
      'x@sha256:abc',
      'a//b',
      '../x',
      '/abs',
      'a b',
      'x/{{y}}',
      'x"y',
      "x'y",
      'localhost:5000',
      'x/',
      '-x',
      'x$y',
    ],
  ],
  ['image', 'accept', ['localhost:5000/a/b', 'x', 'quay.io/a/b-c_d.e', 'Registry.Example.com/a', 'a__b']],
  ['ci', 'reject', ['GitHub', 'jenkins', '', ' github', 'github ', 'none\n', 'gitlab-ci']],
  ['ci', 'accept', ['gitlab', 'none']],
  ['baseImage', 'reject', ['Distroless', 'ubuntu', '', 'scratch ', 'alpine:3']],
  ['baseImage', 'accept', ['alpine', 'scratch']],
  [
    'owner',
    'reject',
    [
      '',
      'Team A',
      'component:x',
      'group:Default/x',
      'group:default/',
      'group:/x',
      ':x',
      'x:',
      'a/b/c',
      'group:default/-x',
      'x-',
      'x'.repeat(64),
      'ünï',
      '{{x}}',
      'x\ny',
      'a b',
    ],
  ],
  ['owner', 'accept', ['acme', 'group:acme', 'user:default/jane.doe', 'Group:x', 'group:my-ns/team_a', 'x'.repeat(63)]],
  [
    'system',
    'reject',
    ['group:x', 'Shop Floor', 'system:NS/x', '/x', 'x/', '-x', 'x.', 'x'.repeat(64), '{{x}}', 'a\nb', 'a:b:c', 'system:', ' x', 'x ', 'ü'],
  ],
  ['system', 'accept', ['shop', 'system:shop', 'system:default/shop', 'default/shop.v2']],
  [
    'lifecycle',
    'reject',
    [
      'beta',
      'Production',
      '',
      ' experimental',
      'deprecated ',
      'prod',
      'experimental\n',
      'ga',
      'alpha',
      'EXPERIMENTAL',
      '1',
      'none',
      'retired',
      'dev',
      'stable',
    ],
  ],
  ['lifecycle', 'accept', ['production', 'deprecated', 'experimental']],
];
for (const [key, must, values] of KNOWN) for (const v of values) add(key, v, random() < 0.75 ? 'flag' : pick(['json', 'yaml']), must);

// Wrong types, which only an answers file can carry.
const WRONG_TYPES: [AnswerKey, 'reject' | 'accept', unknown[]][] = [
  ['metrics', 'reject', ['maybe', 1, 0, 'TRUE', 'On', 'y', [], {}, 'true ', '', 'False', [true]]],
  ['tracing', 'reject', ['maybe', 1, 0, 'Yes', 'OFF', 'n', [], { a: 1 }, ' no', '', 2.5]],
  ['metrics', 'accept', [true, false, 'yes', 'no', 'true', 'false', 'on', 'off', null]],
  ['tracing', 'accept', [true, false, 'yes', 'no', 'on', 'off', null]],
  ['automaxprocs', 'reject', ['maybe', 1, 0, 'Off ', 'ON', 'y', [], { on: true }, '', 'nope']],
  ['automaxprocs', 'accept', [true, false, 'yes', 'no', 'on', 'off', null]],
  ['sign', 'reject', ['maybe', 1, 0, 2.5, 'Y', 'ON', 'Off', 'TRUE', [], { a: 1 }, 'signed', '', ' yes']],
  ['sign', 'accept', [true, false, 'yes', 'no', 'on', 'off', null]],
  ['updateJob', 'reject', ['maybe', 1, 0, 2.5, 'Y', 'oN', 'ofF', 'TRUE', [], { a: 1 }, 'weekly', '', ' no']],
  ['updateJob', 'accept', [true, false, 'yes', 'no', 'on', 'off', null]],
  ['name', 'reject', [123, [], {}, true, ['orders']]],
  ['module', 'reject', [42, { path: 'x' }, false]],
  ['description', 'reject', [42, ['a'], { a: 1 }, false]],
  ['goVersion', 'reject', [1.26, 1.3, 126]],
  ['port', 'reject', [true, [8080], {}, 8080.5, -1, 1e21, 80, 'eighty']],
  ['port', 'accept', [8080, '9091']],
  ['image', 'reject', [1, ['x']]],
  ['ci', 'reject', [['github'], 0, true]],
  ['baseImage', 'reject', [{}, 7]],
  ['image', 'accept', [null]],
];
for (const [key, must, values] of WRONG_TYPES) for (const v of values) add(key, v, pick(['json', 'yaml']), must);

// Random spoilings of valid values.
for (const key of Object.keys(BASE) as (keyof typeof BASE)[]) {
  for (let i = 0; i < 24; i++) {
    const v = mutate(BASE[key]);
    const dirOK = key === 'name' && v !== '' && v !== '.' && v !== '..' && !/[/\u0000]/.test(v);
    add(key, v, dirOK && random() < 0.3 ? 'dir' : random() < 0.7 ? 'flag' : pick(['json', 'yaml']));
  }
}
// A sample goes through the bundled CLI. argv cannot carry NUL, and carries a lone surrogate
// as U+FFFD: such values stay in-process (answers files keep them, escaped).
const argvSafe = (v: unknown) => typeof v !== 'string' || (!v.includes('\u0000') && v.isWellFormed());
for (const c of cases) {
  if (random() < 0.12 && (c.via !== 'flag' && c.via !== 'dir' ? true : argvSafe(c.value))) c.cli = true;
}

const root = mkdtempSync(join(tmpdir(), 'cgks-fuzz-'));
const answersDir = join(root, 'answers');
mkdirSync(answersDir);

interface Outcome {
  c: Case;
  code: number;
  errors: string[];
  /** The target directory, for successes. */
  dir: string;
  parent: string;
}
const outcomes: Outcome[] = [];

function argvFor(c: Case, parent: string): string[] {
  const q = Q(c.key);
  const target = c.via === 'dir' ? join(parent, String(c.value)) : join(parent, c.key === 'name' ? 'target' : 'svc');
  const args = [target, '--yes', '--no-git', '--no-install'];
  if (c.via === 'flag') {
    const v = String(c.value);
    if (q.type === 'boolean') args.push(c.value ? `--${q.flag}` : `--no-${q.flag}`);
    // A value starting with "-" needs the = form; otherwise use both forms.
    else if (v.startsWith('-') || random() < 0.5) args.push(`--${q.flag}=${v}`);
    else args.push(`--${q.flag}`, v);
  } else if (c.via === 'json' || c.via === 'yaml') {
    const file = join(answersDir, `${c.id}.${c.via}`);
    const data = { [random() < 0.5 ? q.key : q.flag]: c.value };
    writeFileSync(file, c.via === 'json' ? JSON.stringify(data) : YAML.stringify(data));
    args.push('--answers', file);
  }
  return args;
}

function capture(errors: string[]): (json: boolean) => Output {
  return (json) => ({
    isJson: json,
    info: () => {},
    warn: (t) => errors.push(`warning: ${t}`),
    error: (t) => errors.push(t),
    json: () => {},
    style: (_s, t) => t,
  });
}

test(`at least 300 cases over every question (seed ${SEED})`, () => {
  assert.ok(cases.length >= 300, `${cases.length} cases`);
  for (const q of QUESTIONS) assert.ok(cases.filter((c) => c.key === q.key).length >= 15, `few cases for ${q.key}`);
  assert.ok(cases.filter((c) => c.cli).length >= 20, 'CLI sample too small');
});

test('each case exits 2 with one line naming the field and writes nothing, or succeeds', async () => {
  const started = Date.now();
  const runOne = async (c: Case) => {
    const parent = join(root, `c${c.id}`);
    mkdirSync(parent);
    const argv = argvFor(c, parent);
    let code: number;
    let errors: string[] = [];
    if (c.cli) {
      const r = await runCli(argv);
      code = r.exitCode;
      errors = r.stderr.split('\n').filter(Boolean);
    } else {
      code = await run(argv, capture(errors));
    }
    outcomes.push({ c, code, errors, dir: argv[0]!, parent });
  };
  // In-process runs one at a time (they share process state); CLI runs two at a time beside them.
  const cliCases = cases.filter((c) => c.cli);
  const cliPool = Promise.all(
    [0, 1].map(async () => {
      for (let c = cliCases.shift(); c; c = cliCases.shift()) await runOne(c);
    }),
  );
  for (const c of cases.filter((c) => !c.cli)) await runOne(c);
  await cliPool;
  console.log(
    `${outcomes.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s: ${outcomes.filter((o) => o.code === 0).length} accepted, ${outcomes.filter((o) => o.code === 2).length} refused`,
  );

  const problems: string[] = [];
  for (const o of outcomes) {
    const { c } = o;
    const q = Q(c.key);
    const label = `#${c.id} ${c.key}=${JSON.stringify(c.value)} via ${c.via}${c.cli ? ' (CLI)' : ''}`;
    if (o.code === 2) {
      if (o.errors.length !== 1) problems.push(`${label}: ${o.errors.length} lines: ${JSON.stringify(o.errors)}`);
      const line = o.errors[0] ?? '';
      const field = c.via === 'dir' ? '--name' : `--${q.flag}`;
      if (!line.includes(field)) problems.push(`${label}: the line does not name ${field}: ${line}`);
      if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(line))
        problems.push(`${label}: raw control characters in ${JSON.stringify(line)}`);
      const left = readdirSync(o.parent);
      if (left.length) problems.push(`${label}: refused but left ${left.join(', ')}`);
      if (c.must === 'accept') problems.push(`${label}: refused a valid value: ${line}`);
    } else if (o.code === 0) {
      if (c.must === 'reject') problems.push(`${label}: accepted an invalid value`);
    } else {
      problems.push(`${label}: exit ${o.code}: ${o.errors.join(' | ')}`);
    }
  }
  assert.equal(problems, [], `seed ${SEED}`);
  // Not vacuous: plenty of both outcomes, and every question refuses something.
  assert.ok(outcomes.filter((o) => o.code === 0).length >= 80);
  assert.ok(outcomes.filter((o) => o.code === 2).length >= 150);
  for (const q of QUESTIONS)
    assert.ok(
      outcomes.some((o) => o.c.key === q.key && o.code === 2),
      `nothing refused for ${q.key}`,
    );
});

const accepted = () => outcomes.filter((o) => o.code === 0);

interface RecordFile {
  answers: Record<AnswerKey, unknown>;
}
const recordOf = (o: Outcome): RecordFile => JSON.parse(readFileSync(join(o.dir, '.go-k8s-service.json'), 'utf8'));

/** The answer a run should have recorded: the value as given, in the question's type. */
function expected(c: Case): unknown {
  const q = Q(c.key);
  if (c.value === null) return undefined; // the default
  if (q.type === 'number') return typeof c.value === 'number' ? c.value : Number(String(c.value).trim());
  if (q.type === 'boolean') return c.value === true || c.value === 'true' || c.value === 'yes' || c.value === 'on';
  return c.value;
}

test('the answers recorded are the values exactly as given', () => {
  const problems: string[] = [];
  for (const o of accepted()) {
    const want = expected(o.c);
    const got = recordOf(o).answers[o.c.key];
    if (want !== undefined && got !== want) problems.push(`#${o.c.id} ${o.c.key}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  }
  assert.equal(problems, [], `seed ${SEED}`);
});

function walk(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const go = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (skip(relative(dir, p))) continue;
      if (statSync(p).isDirectory()) go(p);
      else out.push(p);
    }
  };
  go(dir);
  return out;
}

/** Every scalar in a parsed YAML document. */
function scalars(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) scalars(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) scalars(x, out);
  else out.push(v);
  return out;
}

test('every YAML file parses (Helm templates aside), and the text is in it exactly', () => {
  const problems: string[] = [];
  let files = 0;
  for (const o of accepted()) {
    const a = recordOf(o).answers;
    const helmTemplates = (rel: string) => /^charts\/[^/]+\/templates$/.test(rel);
    for (const f of walk(o.dir, helmTemplates).filter((f) => /\.ya?ml$/.test(f))) {
      files++;
      for (const doc of YAML.parseAllDocuments(readFileSync(f, 'utf8'), { uniqueKeys: true })) {
        for (const e of [...doc.errors, ...doc.warnings]) problems.push(`#${o.c.id} ${relative(o.dir, f)}: ${e.message.split('\n')[0]}`);
      }
    }
    const chart = YAML.parse(readFileSync(join(o.dir, 'charts', String(a.name), 'Chart.yaml'), 'utf8'));
    if (chart.description !== a.description)
      problems.push(`#${o.c.id} Chart.yaml description ${JSON.stringify(chart.description)} != ${JSON.stringify(a.description)}`);
    if (chart.name !== a.name) problems.push(`#${o.c.id} Chart.yaml name ${JSON.stringify(chart.name)}`);
    const values = YAML.parse(readFileSync(join(o.dir, 'charts', String(a.name), 'values.yaml'), 'utf8'));
    if (!scalars(values).includes(a.image)) problems.push(`#${o.c.id} values.yaml lacks the image ${JSON.stringify(a.image)}`);
    JSON.parse(readFileSync(join(o.dir, 'charts', String(a.name), 'values.schema.json'), 'utf8'));
    const readme = readFileSync(join(o.dir, 'README.md'), 'utf8');
    if (!readme.includes(String(a.description)))
      problems.push(`#${o.c.id} README.md lacks the description ${JSON.stringify(a.description)}`);
  }
  assert.ok(files > accepted().length * 3, `only ${files} YAML files`);
  assert.equal(problems, [], `seed ${SEED}`);
});

test('every Makefile parses, with the answers in its variables exactly', () => {
  const problems: string[] = [];
  for (const o of accepted()) {
    const a = recordOf(o).answers;
    const r = spawnSync('make', ['-pn', 'help'], { cwd: o.dir, encoding: 'utf8', env: { ...process.env, MAKEFLAGS: '' } });
    if (r.status !== 0 || r.stderr.trim()) {
      problems.push(`#${o.c.id}: make exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
      continue;
    }
    const variable = (name: string) => new RegExp(`^${name} :?= (.*)$`, 'm').exec(r.stdout)?.[1];
    for (const [name, want] of [
      ['NAME', a.name],
      ['MODULE', a.module],
      ['IMAGE', a.image],
    ] as const) {
      if (variable(name) !== want)
        problems.push(`#${o.c.id}: Makefile ${name} is ${JSON.stringify(variable(name))}, not ${JSON.stringify(want)}`);
    }
  }
  assert.equal(problems, [], `seed ${SEED}`);
});

test('every Go file parses and is gofmt-clean (one gofmt over all the repos)', () => {
  const gofmt = spawnSync('gofmt', ['-l', root], { encoding: 'utf8', env: { ...process.env, ...GO_ENV }, maxBuffer: 64 << 20 });
  assert.is(gofmt.status, 0, gofmt.stderr.split('\n').slice(0, 10).join('\n'));
  const unformatted = gofmt.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => {
      const o = outcomes.find((o) => f.startsWith(o.dir + '/'));
      return `${relative(root, f)} (${o ? `${o.c.key}=${JSON.stringify(o.c.value)}` : '?'})`;
    });
  assert.equal(unformatted, [], `not gofmt-clean (seed ${SEED})`);
});

test('Go string literals unquote to the answers exactly', () => {
  // go/parser and strconv.Unquote are the judges of Go string literals.
  const tool = join(root, 'golit');
  mkdirSync(tool);
  writeFileSync(
    join(tool, 'main.go'),
    `package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
)

func main() {
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, path := range os.Args[1:] {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			panic(err)
		}
		lits := []string{}
		ast.Inspect(f, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
				s, err := strconv.Unquote(b.Value)
				if err != nil {
					panic(err)
				}
				lits = append(lits, s)
			}
			return true
		})
		out[path] = lits
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`,
  );
  execFileSync('go', ['build', '-o', join(tool, 'golit'), join(tool, 'main.go')], {
    cwd: tool,
    env: { ...process.env, ...GO_ENV, GO111MODULE: 'off' },
  });
  const problems: string[] = [];
  for (const o of accepted()) {
    const a = recordOf(o).answers;
    const main = join(o.dir, 'cmd', String(a.name), 'main.go');
    const app = join(o.dir, 'internal', 'app', 'app.go');
    const buildinfo = join(o.dir, 'internal', 'buildinfo', 'buildinfo.go');
    const lits = JSON.parse(execFileSync(join(tool, 'golit'), [main, app, buildinfo], { encoding: 'utf8' })) as Record<string, string[]>;
    if (!lits[main]!.includes(String(a.description)))
      problems.push(`#${o.c.id}: no literal in main.go equals the description ${JSON.stringify(a.description)}`);
    if (!lits[main]!.includes(`${a.module}/internal/app`)) problems.push(`#${o.c.id}: main.go does not import ${a.module}/internal/app`);
    if (!lits[app]!.includes(`${a.module}/internal/config`))
      problems.push(`#${o.c.id}: app.go does not import ${a.module}/internal/config`);
    if (!lits[buildinfo]!.includes(String(a.name))) problems.push(`#${o.c.id}: buildinfo.go lacks the name`);
  }
  assert.equal(problems, [], `seed ${SEED}`);
});

test.after(() => {
  if (process.env.FUZZ_KEEP) console.log(`kept the generated repos in ${root}`);
  else rmSync(root, { recursive: true, force: true });
});

test.run();
