// Our code cache (bin/code-cache.ts: vm.Script with cachedData, one cache per command) against
// Node's own compile cache (module.enableCompileCache(), Node 22.1+), under each Node line the
// package supports (scripts/install-node.sh), from the installed tarball, interleaved.
//
// Node's variant runs the same dist/program.cjs through an entry of two lines that enables the
// cache and requires the program. Node keeps one cache per file and writes it only while it has
// none that fits, so the commands that run first decide what is in it; each command here gets a
// cache directory of its own, which is Node's best case.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installedPackage } from './lib/package.js';
import { timeInterleaved, type TimedCase, type TimingResult } from './lib/timing.js';
import { freshTempDir, removeDir, ROOT, run, say, type Budget } from './lib/util.js';

export interface CompileCacheResult {
  timing: TimingResult;
  /** Node version by major line. */
  nodes: Record<string, string>;
  /** Bytes each warm cache holds, by case id. */
  cacheBytes: Record<string, number>;
  notes: string[];
}

const ENTRY = `'use strict';
// Node's compile cache for the program (the bench's stand-in for a bin that uses it).
require('node:module').enableCompileCache(process.env.CGKS_BENCH_NODE_CACHE);
require(process.env.CGKS_BENCH_PROGRAM);
`;

const COMMANDS = { create: ['svc', '--yes', '--no-git', '--no-install'], version: ['--version'] } as const;

function dirBytes(dir: string): number {
  let n = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
    }
  } catch {
    return 0;
  }
  return n;
}

export function benchCompileCache(opts: {
  rounds: number;
  warmup: number;
  budget: Budget;
  reserveSeconds: number;
  tmpBase: string;
}): CompileCacheResult {
  const notes: string[] = [];
  const work = freshTempDir('compile-cache', opts.tmpBase);
  try {
    const pkg = installedPackage(join(work, 'package'));
    const program = join(dirname(pkg.cli), 'program.cjs');
    const entry = join(work, 'node-compile-cache-entry.cjs');
    writeFileSync(entry, ENTRY);
    const lines = run('bash', [join(ROOT, 'scripts', 'install-node.sh'), '--list'])
      .stdout.trim()
      .split('\n')
      .map((l) => l.split(' ')[0]!);
    const nodes: Record<string, string> = {};
    const cases: TimedCase[] = [];
    const cacheDirs: Record<string, string> = {};
    let n = 0;
    for (const major of lines) {
      const node = run('bash', [join(ROOT, 'scripts', 'install-node.sh'), major]).stdout.trim();
      nodes[major] = run(node, ['--version']).stdout.trim();
      const hasNodeCache = Number(major) >= 22;
      // Node's own start-up, which no cache can save.
      cases.push({ id: `floor-${major}`, label: `Node ${major}: node -e ''`, cmd: [node, '-e', ''] });
      for (const [command, args] of Object.entries(COMMANDS)) {
        const variant = (kind: 'ours' | 'node' | 'none', label: string): TimedCase => {
          const id = `${kind}-${major}-${command}`;
          const cache = join(work, 'caches', id);
          cacheDirs[id] = cache;
          const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: undefined };
          if (kind === 'none') env.NODE_DISABLE_COMPILE_CACHE = '1';
          if (kind === 'node') Object.assign(env, { CGKS_BENCH_NODE_CACHE: cache, CGKS_BENCH_PROGRAM: program });
          const c: TimedCase = {
            id,
            label: `Node ${major}, ${command}: ${label}`,
            cmd: [node, kind === 'node' ? entry : pkg.cli, ...args],
            env,
          };
          if (command === 'create') {
            // A fresh empty directory for every run.
            c.prepare = () => {
              c.cwd = join(work, 'runs', String(n++));
              mkdirSync(c.cwd, { recursive: true });
            };
            c.cleanup = () => removeDir(c.cwd!);
          }
          return c;
        };
        cases.push(variant('ours', 'our code cache (dist/cli.cjs)'));
        if (hasNodeCache) cases.push(variant('node', 'module.enableCompileCache() + require(program.cjs)'));
        cases.push(variant('none', 'no cache (NODE_DISABLE_COMPILE_CACHE=1)'));
      }
    }
    say(`compile cache: ${cases.length} cases under Node ${Object.values(nodes).join(', ')}`);
    const timing = timeInterleaved(cases, { ...opts, title: 'compile cache' });
    const cacheBytes: Record<string, number> = {};
    for (const [id, dir] of Object.entries(cacheDirs)) if (!id.startsWith('none')) cacheBytes[id] = dirBytes(dir);
    for (const c of Object.values(timing.cases)) {
      c.command = c.command
        .replaceAll(pkg.prefix, '$PREFIX')
        .replaceAll(work, '$TMP')
        .replaceAll(`${process.env.HOME}/.cache/create-go-k8s-service/node`, '$NODES');
      if (c.failures.length) notes.push(`${c.id}: ${c.failures.length} failed run(s), first: ${c.failures[0]}`);
    }
    return { timing, nodes, cacheBytes, notes };
  } finally {
    removeDir(work);
  }
}
