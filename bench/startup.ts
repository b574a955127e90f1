// Where our start-up time goes. Builds the bundle as scripts/build.ts does (same functions,
// another outdir) with esbuild's metafile for the program, then profiles create, regen and
// --version runs of that build with `node --cpu-prof`, with the code cache warm: what is in the
// program, how big each command's code cache is, and self time by file.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVICE_NAME, commitAll, generateReference, staleState, writeState } from './generation.js';
import { freshTempDir, median, removeDir, ROOT, run, say, which } from './lib/util.js';

interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<
    string,
    {
      bytes: number;
      entryPoint?: string;
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

export interface ChunkInfo {
  file: string;
  bytes: number;
  /** Largest contributors: npm package, or our source file. */
  contents: { from: string; bytes: number }[];
}

export interface ProfileSummary {
  command: string;
  runs: number;
  /** Median total sampled ms per run. */
  totalMs: number;
  /** Median self ms per bucket: a dist file, node's module loader, other node internals, GC, ... */
  selfMs: Record<string, number>;
}

export interface StartupResult {
  chunks: ChunkInfo[];
  /** Bytes of the code cache each command leaves (what V8 no longer compiles on the next run). */
  codeCacheBytes: Record<string, number>;
  profiles: ProfileSummary[];
  distMatchesSources: boolean;
  notes: string[];
}

function contributor(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  if (input.startsWith('cgks:')) return 'precompiled templates';
  return input;
}

function analyseMetafile(meta: Metafile, outdir: string): ChunkInfo[] {
  const rel = (p: string) => relative(outdir, join(ROOT, p));
  const chunks: ChunkInfo[] = [];
  for (const [path, o] of Object.entries(meta.outputs)) {
    if (path.endsWith('.map') || path.endsWith('.txt')) continue;
    const by = new Map<string, number>();
    for (const [input, v] of Object.entries(o.inputs)) by.set(contributor(input), (by.get(contributor(input)) ?? 0) + v.bytesInOutput);
    chunks.push({
      file: rel(path),
      bytes: o.bytes,
      contents: [...by]
        .map(([from, bytes]) => ({ from, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .filter((c) => c.bytes > 0),
    });
  }
  return chunks.sort((a, b) => b.bytes - a.bytes);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

function bucket(url: string, fn: string, outdir: string): string {
  // Native code has no URL: V8's own buckets ((program) is parsing and compiling, (garbage
  // collector)) and node's C++ bindings (writeFileUtf8, mkdir, ...).
  if (!url) return /^\(/.test(fn) ? fn : `native ${fn || '(anonymous)'}`;
  if (url.startsWith('file://') || url.startsWith('/')) {
    const p = url.startsWith('/') ? url : decodeURIComponent(new URL(url).pathname);
    return p.startsWith(outdir) ? relative(outdir, p) : p;
  }
  const m = /^node:internal\/(modules\/(?:esm|cjs)|[^/]+)/.exec(url);
  if (m?.[1]?.startsWith('modules/')) return `node: ${m[1] === 'modules/esm' ? 'ESM' : 'CJS'} loader`;
  return `node: ${m?.[1] ?? url.replace(/^node:/, '')}`;
}

function summariseProfiles(files: string[], outdir: string, command: string): ProfileSummary {
  const perRun: Map<string, number>[] = [];
  const totals: number[] = [];
  for (const f of files) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
      const n = byId.get(p.samples[i]!);
      const us = p.timeDeltas[i + 1] ?? 0;
      if (!n) continue;
      const b = bucket(n.callFrame.url, n.callFrame.functionName, outdir);
      if (b === '(idle)') continue;
      self.set(b, (self.get(b) ?? 0) + us / 1000);
      total += us / 1000;
    }
    perRun.push(self);
    totals.push(total);
  }
  const keys = new Set(perRun.flatMap((m) => [...m.keys()]));
  const selfMs: Record<string, number> = {};
  for (const k of keys) selfMs[k] = median(perRun.map((m) => m.get(k) ?? 0));
  const sorted = Object.fromEntries(Object.entries(selfMs).sort((a, b) => b[1] - a[1]));
  return { command, runs: files.length, totalMs: median(totals), selfMs: sorted };
}

function cacheFiles(cache: string): string[] {
  const dir = join(cache, 'create-go-k8s-service', 'v8');
  return existsSync(dir) ? readdirSync(dir) : [];
}

export function analyseStartup(opts: { runs: number; tmpBase: string }): StartupResult {
  const notes: string[] = [];
  const work = freshTempDir('startup', opts.tmpBase);
  try {
    const outdir = join(work, 'dist');
    const metaPath = join(work, 'meta.json');
    say('start-up: building the bundle again with a metafile (scripts/build.ts buildBundle, other outdir)');
    run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'lib', 'metafile-build.ts'), outdir, metaPath], { cwd: ROOT });
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metafile;
    const chunks = analyseMetafile(meta, outdir);

    const same = (f: string) =>
      existsSync(join(ROOT, 'dist', f)) && readFileSync(join(ROOT, 'dist', f)).equals(readFileSync(join(outdir, f)));
    const distMatchesSources = same('program.cjs') && same('cli.cjs');
    if (!distMatchesSources)
      notes.push(
        'dist/ differs from a fresh build of the sources (someone changed generators/ or templates/ during the run); the profile uses the fresh build.',
      );

    const cli = join(outdir, 'cli.cjs');
    const repo = generateReference(join(work, 'ref'));
    const profiles: ProfileSummary[] = [];
    const codeCacheBytes: Record<string, number> = {};
    // A cache of its own, warmed by one run per command before the profiled ones.
    const cache = join(work, 'cache');
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const profile = (label: string, args: (i: number) => string[], cwd: string, before?: () => void) => {
      const dir = join(work, 'prof', label);
      mkdirSync(dir, { recursive: true });
      before?.();
      const had = new Set(cacheFiles(cache));
      run(process.execPath, [cli, ...args(-1)], { cwd, env });
      for (const f of cacheFiles(cache))
        if (!had.has(f)) codeCacheBytes[label] = statSync(join(cache, 'create-go-k8s-service', 'v8', f)).size;
      for (let i = 0; i < opts.runs; i++) {
        before?.();
        run(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, cli, ...args(i)], { cwd, env });
      }
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(dir, f));
      profiles.push(summariseProfiles(files, outdir, `node --cpu-prof dist/cli.cjs ${args(0).join(' ').replaceAll(work, '<tmp>')}`));
    };
    say(`start-up: ${opts.runs} profiled runs each of create, regen and --version`);
    profile('create', (i) => [join(work, `c${i + 2}`, SERVICE_NAME), '--yes', '--no-git', '--no-install'], work);
    // The realistic regen: a committed repo whose Dockerfile is stale (as in the generation table).
    const stale = staleState({
      dockerfile: readFileSync(join(repo, 'Dockerfile'), 'utf8'),
      record: readFileSync(join(repo, '.go-k8s-service.json'), 'utf8'),
    });
    writeState(repo, stale);
    if (which('git')) commitAll(repo);
    profile(
      'regen',
      () => ['regen', 'Dockerfile'],
      repo,
      () => writeState(repo, stale),
    );
    profile('version', () => ['--version'], work);

    return { chunks, codeCacheBytes, profiles, distMatchesSources, notes };
  } finally {
    removeDir(work);
  }
}
