// What-if builds for the generation targets: `npx tsx bench/experiments/variants.ts [--rounds N]`.
// Copies the work tree to a scratch directory, applies each proposed change there (never to the
// repo), builds the bundle with scripts/build.ts's own buildBundle, checks that every variant
// writes byte-identical repos for a set of answer combinations, then times the variants against
// create-vite and `node -e ''`, interleaved, wall and CPU time. Writes bench/results/variants.md.
// A patch whose anchor text is gone (the sources moved on) is reported and its variants skipped.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitAll, staleState, writeState } from '../generation.js';
import { timeInterleaved, type TimedCase } from '../lib/timing.js';
import { loadCreateVite } from '../lib/tools.js';
import { BENCH_DIR, fastTmpBase, fmtMs, fmtRatio, freshTempDir, listFiles, removeDir, ROOT, run, say, which } from '../lib/util.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, keep: { type: 'boolean', default: false } } });

interface Edit {
  file: string;
  find: string;
  replace: string;
}

const PATCHES: Record<string, { what: string; edits: Edit[]; copy?: [string, string][] }> = {
  'lean-templates': {
    what: 'scripts/build.ts compiles templates to plain JS functions (bench/experiments/lean-hbs.ts) instead of Handlebars.precompile + the Handlebars runtime',
    copy: [['bench/experiments/lean-hbs.ts', 'scripts/lean-hbs.ts']],
    edits: [
      {
        file: 'scripts/build.ts',
        find: '      hbs.push(`${JSON.stringify(rel)}: ${Handlebars.precompile(src, TEMPLATE_OPTIONS)}`);',
        replace: '      hbs.push(`${JSON.stringify(rel)}: ${compileLean(src, rel)}`);',
      },
      {
        file: 'scripts/build.ts',
        find: `  return \`import Handlebars from 'handlebars/runtime';
const hbs = {\${hbs.join(',\\n')}};
const raw = {\${raw.join(',\\n')}};
export function createEnv() { return Handlebars.create(); }
export function loadHandlebars(env, path) {
  const spec = hbs[path];
  if (!spec) throw new Error('no template ' + path);
  return env.template(spec);
}`,
        replace: `  return \`\${LEAN_RUNTIME}
const hbs = {\${hbs.join(',\\n')}};
const raw = {\${raw.join(',\\n')}};
export function createEnv() { return { helpers: {}, registerHelper(n, f) { this.helpers[n] = f; } }; }
export function loadHandlebars(env, path) {
  const fn = hbs[path];
  if (!fn) throw new Error('no template ' + path);
  return (context) => fn(context, env.helpers);
}`,
      },
      {
        file: 'scripts/build.ts',
        find: "import Handlebars from 'handlebars';\n",
        replace: "import Handlebars from 'handlebars';\nimport { compileLean, LEAN_RUNTIME } from './lean-hbs.ts';\n",
      },
    ],
  },
};

const VARIANTS: { id: string; patches: string[] }[] = [
  { id: 'current', patches: [] },
  { id: 'lean', patches: ['lean-templates'] },
  // 'no-plop' (create without node-plop) is the code now (issue #26).
];

/** Answer combinations whose output every variant must reproduce byte for byte. */
const COMBOS: string[][] = [
  [],
  ['--ci', 'gitlab'],
  ['--ci', 'none'],
  ['--tracing'],
  ['--no-metrics'],
  ['--no-metrics', '--tracing'],
  ['--base-image', 'scratch'],
  ['--base-image', 'alpine', '--ci', 'gitlab', '--tracing'],
  ['--description', 'a "quoted" & <odd> \\ thing: {{x}} $y `z`'],
  ['--port', '9090', '--module', 'example.com/acme/orders'],
];

const work = freshTempDir('variants', fastTmpBase());
const NODE = process.execPath;
try {
  // ---- sources -------------------------------------------------------------------------------
  const src = join(work, 'src');
  say(`variants: copying the work tree to ${src}`);
  cpSync(ROOT, src, {
    recursive: true,
    filter: (p) => !/[\\/](node_modules|\.git|dist)$/.test(p) && !p.includes('/bench/results'),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const pristine = new Map<string, string>();
  const notes: string[] = [];

  const apply = (names: string[]): boolean => {
    for (const [f, text] of pristine) writeFileSync(join(src, f), text);
    for (const name of names) {
      const p = PATCHES[name]!;
      for (const [from, to] of p.copy ?? []) cpSync(join(ROOT, from), join(src, to));
      for (const e of p.edits) {
        const file = join(src, e.file);
        if (!pristine.has(e.file)) pristine.set(e.file, readFileSync(file, 'utf8'));
        const text = readFileSync(file, 'utf8');
        if (!text.includes(e.find)) {
          notes.push(`patch ${name} no longer applies to ${e.file} (its anchor text changed)`);
          return false;
        }
        writeFileSync(file, text.replace(e.find, e.replace));
      }
    }
    return true;
  };

  // ---- builds ----------------------------------------------------------------------------------
  const built: { id: string; patches: string[]; cli: string }[] = [];
  for (const v of VARIANTS) {
    if (!apply(v.patches)) continue;
    const dir = join(work, 'v', v.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "name": "create-go-k8s-service", "type": "module" }\n');
    say(`variants: building ${v.id}`);
    run(NODE, ['--import', 'tsx', join(src, 'bench', 'lib', 'metafile-build.ts'), join(dir, 'dist'), join(dir, 'meta.json')], { cwd: src });
    built.push({ ...v, cli: join(dir, 'dist', 'cli.cjs') });
  }
  apply([]);

  // ---- same output -----------------------------------------------------------------------------
  const out = join(work, 'out');
  const identical: Record<string, boolean> = {};
  COMBOS.forEach((flags, i) => {
    for (const b of built)
      run(NODE, [b.cli, join(out, b.id, String(i), 'orders'), '--yes', '--no-git', '--no-install', ...flags], { cwd: work });
  });
  for (const b of built) {
    identical[b.id] = COMBOS.every((_, i) => {
      const a = join(out, 'current', String(i), 'orders');
      const c = join(out, b.id, String(i), 'orders');
      const fa = listFiles(a);
      return fa.join() === listFiles(c).join() && fa.every((f) => readFileSync(join(a, f)).equals(readFileSync(join(c, f))));
    });
    say(`variants: ${b.id} ${identical[b.id] ? 'writes byte-identical repos' : 'DIFFERS'} for ${COMBOS.length} answer combinations`);
  }

  // ---- timing ----------------------------------------------------------------------------------
  const ref = join(out, 'current', '0', 'orders');
  const stale = staleState({
    dockerfile: readFileSync(join(ref, 'Dockerfile'), 'utf8'),
    record: readFileSync(join(ref, '.go-k8s-service.json'), 'utf8'),
  });
  const hasGit = which('git') !== undefined;
  const repos: Record<string, string> = {};
  for (const kind of hasGit ? ['git', 'nogit'] : ['nogit']) {
    const dir = join(work, 'regen', kind, 'orders');
    cpSync(ref, dir, { recursive: true });
    writeState(dir, stale);
    if (kind === 'git') commitAll(dir);
    repos[kind] = dir;
  }
  const vite = loadCreateVite();
  let n = 0;
  const fresh = (c: TimedCase, argv: (dir: string) => string[]): TimedCase => {
    c.prepare = () => {
      const dir = join(work, 'runs', String(n++));
      mkdirSync(dir, { recursive: true });
      c.cwd = dir;
      c.cmd = argv(dir);
    };
    c.cleanup = () => removeDir(c.cwd!);
    return c;
  };
  const cases: TimedCase[] = [
    { id: 'node-floor', label: "node -e ''", cmd: [NODE, '-e', ''] },
    fresh({ id: 'create-vite', label: `create-vite ${vite.version}`, cmd: [] }, () => [
      NODE,
      vite.path,
      'app',
      '--template',
      'react-ts',
      '--no-interactive',
    ]),
    { id: 'current --version', label: 'current: --version', cmd: [NODE, built[0]!.cli, '--version'] },
  ];
  for (const b of built) {
    if (!identical[b.id]) continue;
    cases.push(
      fresh({ id: `${b.id} create`, label: `${b.id}: create`, cmd: [] }, () => [
        NODE,
        b.cli,
        'orders',
        '--yes',
        '--no-git',
        '--no-install',
      ]),
    );
  }
  for (const b of built.filter((x) => x.id === 'current' || x.id === 'lean')) {
    for (const [kind, dir] of Object.entries(repos)) {
      cases.push({
        id: `${b.id} regen (${kind})`,
        label: `${b.id}: regen Dockerfile, stale, ${kind === 'git' ? 'in a git repo' : 'no git'}`,
        cmd: [NODE, b.cli, 'regen', 'Dockerfile'],
        cwd: dir,
        prepare: () => writeState(dir, stale),
      });
    }
  }
  const t = timeInterleaved(cases, { rounds: Number(values.rounds), warmup: 3, title: 'variants' });

  // ---- report ----------------------------------------------------------------------------------
  const viteMs = t.cases['create-vite']!.summary.median;
  const viteCpu = t.cases['create-vite']!.cpuMeanMs;
  const L: string[] = ['# What-if builds for the generation targets', ''];
  L.push(
    `Run ${new Date().toISOString()}, ${t.rounds} interleaved rounds after ${t.warmup} warm-up rounds; wall medians and mean CPU time (user + system).`,
    '',
  );
  L.push('| variant | patches |', '|---|---|');
  for (const b of built)
    L.push(`| ${b.id} | ${b.patches.map((p) => `${p}: ${PATCHES[p]!.what}`).join('; ') || 'none: the sources as they are'} |`);
  L.push('', '| case | wall median | ÷ create-vite | CPU mean | ÷ create-vite | failures |', '|---|---:|---:|---:|---:|---:|');
  for (const c of Object.values(t.cases)) {
    L.push(
      `| ${c.label} | ${fmtMs(c.summary.median)} | ${fmtRatio(c.summary.median / viteMs)} | ${fmtMs(c.cpuMeanMs)} | ${fmtRatio(c.cpuMeanMs / viteCpu)} | ${c.failures.length} |`,
    );
  }
  L.push(
    '',
    `Output check: ${Object.entries(identical)
      .map(([k, v]) => `${k} ${v ? 'identical' : 'DIFFERENT'}`)
      .join(', ')} (${COMBOS.length} answer combinations).`,
    '',
  );
  for (const note of notes) L.push(`- ${note}`);
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'variants.md'), `${L.join('\n')}\n`);
  writeFileSync(join(resultsDir, 'variants.json'), `${JSON.stringify({ timing: t, identical, notes }, null, 2)}\n`);
  process.stdout.write(`${L.join('\n')}\n`);
} finally {
  if (!values.keep) removeDir(work);
  else say(`kept ${work}`);
}

if (!existsSync(join(BENCH_DIR, 'results', 'variants.md'))) process.exitCode = 1;
