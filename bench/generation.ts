// Generation speed: cold processes, each run into a fresh directory, compared commands
// interleaved round by round. Ours (create, single-file regen) against create-vite, plop's own
// CLI writing the same files with one `add` action each, `helm create`, and `node -e ''`.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pairedRatio, timeInterleaved, type TimedCase, type TimingResult } from './lib/timing.js';
import { installedPackage } from './lib/package.js';
import { loadCreateVite, loadHelm, loadPlop, type Tool } from './lib/tools.js';
import { tmpdir } from 'node:os';
import { freshTempDir, listFiles, removeDir, ROOT, run, say, summarize, which, type Budget, type Summary } from './lib/util.js';

export const SERVICE_NAME = 'orders';
/** The repo checkout's bundle (the installed package's is used for timing; see lib/package.ts). */
const CHECKOUT_CLI = join(ROOT, 'dist', 'cli.cjs');
const NODE = process.execPath;

export interface GenerationResult {
  timing: TimingResult;
  fileCount: number;
  bytesGenerated: number;
  tools: Tool[];
  notes: string[];
  ratios: Record<string, { ofMedians: number; paired: Summary }>;
  plopBaseline: { files: number; identicalOutput: boolean; mismatches: string[] };
  regenStale: { description: string };
  /** Where runs wrote, and what writing the default repo's files costs there and on disk. */
  target: { base: string; writeMs: Record<string, Summary> };
}

/** Writes the files (mkdir + writeFileSync, like any generator) into fresh dirs under each base, alternating. */
function writeCost(files: { path: string; content: Buffer }[], bases: Record<string, string>, runs: number): Record<string, Summary> {
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(bases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [k, base] of Object.entries(bases)) {
      const dir = freshTempDir('write', base);
      const t0 = process.hrtime.bigint();
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      ms[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      removeDir(dir);
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summarize(v)]));
}

/** git's blob id (what the record stores), computed here independently of generators/. */
function blobId(content: string): string {
  const b = Buffer.from(content);
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}

/** Generates the default repo once; the reference for file counts, regen and the plop baseline. */
export function generateReference(parent: string, cli = CHECKOUT_CLI): string {
  mkdirSync(parent, { recursive: true });
  const dir = join(parent, SERVICE_NAME);
  run(NODE, [cli, dir, '--yes', '--no-git', '--no-install'], { cwd: parent });
  return dir;
}

/**
 * A plopfile with one `add` action per file of our default repo, its templates being our
 * generated files: `{{` escaped so Handlebars emits it literally, and the service name turned
 * back into `{{name}}` so plop really renders. The output is compared byte for byte with ours.
 */
function writePlopBaseline(ref: string, dir: string, files: string[], substituteName: Set<string>): void {
  removeDir(dir);
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  const actions: string[] = [];
  files.forEach((rel, i) => {
    let text = readFileSync(join(ref, rel), 'utf8').replaceAll('{{', '\\{{');
    if (substituteName.has(rel)) text = text.replaceAll(SERVICE_NAME, '{{name}}');
    writeFileSync(join(dir, 'templates', `${i}.hbs`), text);
    const outPath = `{{name}}/${rel.replaceAll(SERVICE_NAME, '{{name}}')}`;
    actions.push(`    { type: 'add', path: ${JSON.stringify(outPath)}, templateFile: 'templates/${i}.hbs' },`);
  });
  writeFileSync(
    join(dir, 'plopfile.js'),
    `// Baseline: plop's own CLI, one built-in add action per file (${files.length} files).
export default function (plop) {
  plop.setGenerator('service', {
    description: 'baseline',
    prompts: [{ type: 'input', name: 'name', message: 'name' }],
    actions: [
${actions.join('\n')}
    ],
  });
}
`,
  );
}

function plopCmd(plop: Tool, plopDir: string, parent: string): string[] {
  return [NODE, plop.path, '--plopfile', join(plopDir, 'plopfile.js'), '--dest', parent, 'service', SERVICE_NAME];
}

function sameTree(a: string, b: string): string[] {
  const fa = listFiles(a);
  const fb = listFiles(b);
  const bad: string[] = [];
  if (fa.join('\n') !== fb.join('\n')) bad.push(`file lists differ (${fa.length} vs ${fb.length})`);
  for (const f of fa) {
    if (!existsSync(join(b, f))) continue;
    if (!readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) bad.push(f);
  }
  return bad;
}

export interface RepoState {
  dockerfile: string;
  record: string;
}

/** The Dockerfile as an older generator would have written it, and a record that says so. */
export function staleState(fresh: RepoState): RepoState {
  const dockerfile = `${fresh.dockerfile.replace(/\n$/, '')}\n# written by an older generator version\n`;
  const record = JSON.parse(fresh.record) as { files: Record<string, string> };
  record.files.Dockerfile = blobId(dockerfile);
  return { dockerfile, record: `${JSON.stringify(record, null, 2)}\n` };
}

export function writeState(repo: string, s: RepoState): void {
  writeFileSync(join(repo, 'Dockerfile'), s.dockerfile);
  writeFileSync(join(repo, '.go-k8s-service.json'), s.record);
}

export function commitAll(dir: string): void {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@localhost',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@localhost',
  };
  run('git', ['init', '-q'], { cwd: dir, env });
  run('git', ['add', '-A'], { cwd: dir, env });
  run('git', ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'generated'], { cwd: dir, env });
}

export function benchGeneration(opts: {
  rounds: number;
  warmup: number;
  budget: Budget;
  reserveSeconds: number;
  tmpBase: string;
}): GenerationResult {
  const notes: string[] = [];
  const work = freshTempDir('gen', opts.tmpBase);
  const tools: Tool[] = [];
  try {
    say('generation: packing the repo and installing the tarball offline into a clean prefix (what npm create runs)');
    const pkg = installedPackage(join(work, 'package'));
    const CLI = pkg.cli;
    say('generation: reference repo (defaults)');
    const ref = generateReference(join(work, 'ref'), CLI);
    const files = listFiles(ref);
    const bytesGenerated = files.reduce((n, f) => n + readFileSync(join(ref, f)).length, 0);
    say(`generation: the default repo has ${files.length} files, ${bytesGenerated} bytes`);

    const vite = loadCreateVite();
    tools.push(vite);
    const helm = loadHelm();
    if (helm) tools.push(helm);
    else notes.push('helm create skipped: helm could not be provisioned (scripts/install-tools.sh helm failed).');
    const plop = loadPlop();
    if (plop) tools.push(plop);
    else notes.push('plop baseline skipped: node_modules/plop is missing (run npm ci in the repo).');

    // The plop baseline, checked to write exactly our bytes.
    const plopDir = join(work, 'plop-baseline');
    let mismatches: string[] = [];
    if (plop) {
      const substitute = new Set(files);
      for (let attempt = 0; attempt < 2; attempt++) {
        writePlopBaseline(ref, plopDir, files, substitute);
        const out = join(work, 'plop-check');
        removeDir(out);
        mkdirSync(out, { recursive: true });
        run(plopCmd(plop, plopDir, out)[0]!, plopCmd(plop, plopDir, out).slice(1), { cwd: out });
        mismatches = sameTree(ref, join(out, SERVICE_NAME));
        removeDir(out);
        if (mismatches.length === 0) break;
        // Files where turning the name into {{name}} is ambiguous keep the name literally.
        for (const m of mismatches) substitute.delete(m);
      }
      if (mismatches.length) notes.push(`plop baseline output differs from ours in: ${mismatches.join(', ')}`);
      say(
        `generation: plop baseline (${files.length} add actions) ${mismatches.length ? 'differs in ' + mismatches.length + ' file(s)' : 'writes byte-identical output'}`,
      );
    }

    // Copies of the reference for regen. A generated repo normally lives in git (create's
    // default post-step), and regen keeps its generated text in git's object store when it
    // writes, so the realistic case is a committed repo whose Dockerfile is stale; the same
    // without git shows what that bookkeeping costs. Between runs the stale state is written back.
    const fresh = {
      dockerfile: readFileSync(join(ref, 'Dockerfile'), 'utf8'),
      record: readFileSync(join(ref, '.go-k8s-service.json'), 'utf8'),
    };
    const stale = staleState(fresh);
    const hasGit = which('git') !== undefined;
    if (!hasGit) notes.push('git is not installed: the regen cases run outside git (regen then skips its git bookkeeping).');
    const staleRepo = join(work, 'regen-stale', SERVICE_NAME);
    const staleNoGit = join(work, 'regen-stale-nogit', SERVICE_NAME);
    const noopRepo = join(work, 'regen-noop', SERVICE_NAME);
    for (const [dir, state, git] of [
      [staleRepo, stale, hasGit],
      [staleNoGit, stale, false],
      [noopRepo, fresh, hasGit],
    ] as const) {
      cpSync(ref, dir, { recursive: true });
      writeState(dir, state);
      if (git) commitAll(dir);
    }
    const regenCase = (id: string, label: string, cwd: string): TimedCase => ({
      id,
      label,
      cmd: [NODE, CLI, 'regen', 'Dockerfile'],
      cwd,
      prepare: () => writeState(cwd, stale),
      check: (_r, out) => {
        if (!/\b1 updated\b/.test(out.stderr + out.stdout)) throw new Error(`no "1 updated" in: ${out.stderr}${out.stdout}`);
        if (readFileSync(join(cwd, 'Dockerfile'), 'utf8') !== fresh.dockerfile) throw new Error('Dockerfile not regenerated');
      },
    });

    let n = 0;
    const freshDir = (label: string) => {
      const dir = join(work, 'runs', `${label}-${n++}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const target: Record<string, string> = {};
    const withFreshDir = (
      id: string,
      cmd: (dir: string) => string[],
      expect: (dir: string) => void,
      env?: NodeJS.ProcessEnv,
    ): TimedCase => {
      const c: TimedCase = {
        id,
        label: id,
        cmd: [],
        env,
        prepare: () => {
          target[id] = freshDir(id);
          c.cmd = cmd(target[id]);
          c.cwd = target[id];
        },
        check: () => expect(target[id]!),
        cleanup: () => removeDir(target[id]!),
      };
      c.cmd = cmd('<fresh dir>');
      return c;
    };
    const expectFiles = (count: number) => (dir: string) => {
      const got = listFiles(join(dir, SERVICE_NAME)).length;
      if (got !== count) throw new Error(`expected ${count} files, got ${got}`);
    };

    const cases: TimedCase[] = [
      { id: 'node-floor', label: "node -e ''", cmd: [NODE, '-e', ''] },
      withFreshDir('ours-create', () => [NODE, CLI, SERVICE_NAME, '--yes', '--no-git', '--no-install'], expectFiles(files.length)),
      // A first run after install, or after Node changed: V8 compiles the program and the bin writes
      // its code cache (here it is off, so every run pays the compile and none writes).
      withFreshDir('ours-create-nocache', () => [NODE, CLI, SERVICE_NAME, '--yes', '--no-git', '--no-install'], expectFiles(files.length), {
        ...process.env,
        NODE_DISABLE_COMPILE_CACHE: '1',
      }),
      withFreshDir(
        'ours-create-checkout',
        () => [NODE, CHECKOUT_CLI, SERVICE_NAME, '--yes', '--no-git', '--no-install'],
        expectFiles(files.length),
      ),
      { id: 'ours-version', label: 'ours: --version (start-up only)', cmd: [NODE, CLI, '--version'] },
      regenCase('ours-regen', `ours: regen Dockerfile (stale → updated${hasGit ? ', in a git repo' : ''})`, staleRepo),
      regenCase('ours-regen-nogit', 'ours: regen Dockerfile (stale → updated, no git)', staleNoGit),
      {
        id: 'ours-regen-noop',
        label: `ours: regen Dockerfile (already up to date${hasGit ? ', in a git repo' : ''})`,
        cmd: [NODE, CLI, 'regen', 'Dockerfile'],
        cwd: noopRepo,
        check: (_r, out) => {
          if (!/\b0 updated\b/.test(out.stderr + out.stdout)) throw new Error(`no "0 updated" in: ${out.stderr}${out.stdout}`);
        },
      },
      // create-vite takes its target relative to the working directory (it drops a leading /).
      withFreshDir(
        'create-vite',
        () => [NODE, vite.path, 'app', '--template', 'react-ts', '--no-interactive'],
        (d) => {
          if (!existsSync(join(d, 'app', 'package.json'))) throw new Error('create-vite wrote no package.json');
        },
      ),
    ];
    if (plop) cases.push(withFreshDir('plop-add', (_d) => plopCmd(plop, plopDir, '.'), expectFiles(files.length)));
    if (helm) {
      cases.push(
        withFreshDir(
          'helm-create',
          () => [helm.path, 'create', SERVICE_NAME],
          (d) => {
            if (!existsSync(join(d, SERVICE_NAME, 'Chart.yaml'))) throw new Error('helm wrote no Chart.yaml');
          },
        ),
      );
    }
    const labels: Record<string, string> = {
      'ours-create': `ours: create default repo (${files.length} files)`,
      'ours-create-nocache': 'ours: the same without the code cache (a first run: V8 compiles the whole program)',
      'ours-create-checkout': "ours: the same from the repo checkout's dist/ (not what users run)",
      'create-vite': `create-vite ${vite.version} --template react-ts`,
      'plop-add': `plop ${plop?.version ?? ''} CLI, ${files.length} add actions`,
      'helm-create': `helm create (${helm?.version ?? ''})`,
    };
    for (const c of cases) c.label = labels[c.id] ?? c.label;

    const timing = timeInterleaved(cases, {
      rounds: opts.rounds,
      warmup: opts.warmup,
      budget: opts.budget,
      reserveSeconds: opts.reserveSeconds,
      title: 'generation',
    });
    for (const c of Object.values(timing.cases)) {
      // Commands as a reader can rerun them ($PREFIX: the installed package, see the report).
      c.command = c.command
        .replaceAll(pkg.prefix, '$PREFIX')
        .replaceAll(work, '$TMP')
        .replaceAll(`${ROOT.replace(/\/$/, '')}/`, './')
        .replaceAll(NODE, 'node');
      if (c.failures.length) notes.push(`${c.id}: ${c.failures.length} failed run(s), first: ${c.failures[0]}`);
    }
    const contents = files.map((f) => ({ path: f, content: readFileSync(join(ref, f)) }));
    const bases: Record<string, string> = { [opts.tmpBase]: opts.tmpBase };
    if (tmpdir() !== opts.tmpBase) bases[tmpdir()] = tmpdir();
    const writeMs = writeCost(contents, bases, 9);
    say(
      `generation: writing the ${files.length} files in-process: ${Object.entries(writeMs)
        .map(([k, v]) => `${k} ${v.median.toFixed(1)} ms`)
        .join(', ')}`,
    );
    const med = (id: string) => timing.cases[id]?.summary.median ?? Number.NaN;
    const ratio = (a: string, b: string) => ({ ofMedians: med(a) / med(b), paired: pairedRatio(timing, a, b) });
    const ratios: GenerationResult['ratios'] = {
      'ours-create/create-vite': ratio('ours-create', 'create-vite'),
      'ours-create-nocache/create-vite': ratio('ours-create-nocache', 'create-vite'),
      'ours-regen/create-vite': ratio('ours-regen', 'create-vite'),
      'ours-regen-nogit/create-vite': ratio('ours-regen-nogit', 'create-vite'),
      'ours-regen-noop/create-vite': ratio('ours-regen-noop', 'create-vite'),
      'ours-regen/ours-regen-nogit': ratio('ours-regen', 'ours-regen-nogit'),
      'ours-version/node-floor': ratio('ours-version', 'node-floor'),
      'ours-create/plop-add': ratio('ours-create', 'plop-add'),
      'ours-create-checkout/ours-create': ratio('ours-create-checkout', 'ours-create'),
      'ours-regen/plop-add': ratio('ours-regen', 'plop-add'),
      'ours-create/helm-create': ratio('ours-create', 'helm-create'),
      'create-vite/node-floor': ratio('create-vite', 'node-floor'),
    };
    return {
      timing,
      fileCount: files.length,
      bytesGenerated,
      tools,
      notes,
      ratios,
      plopBaseline: { files: files.length, identicalOutput: mismatches.length === 0, mismatches },
      target: { base: opts.tmpBase, writeMs },
      regenStale: {
        description:
          'Regen cases: before each run the Dockerfile gets one extra trailing comment line and the record its blob id, as if an ' +
          'older generator had written it (committed so in the git repo); regen then rewrites the Dockerfile and the record (1 updated)' +
          (hasGit ? " and, inside git, stores the generated text in git's object store and moves refs/go-k8s-service/base." : '.'),
      },
    };
  } finally {
    removeDir(work);
  }
}
