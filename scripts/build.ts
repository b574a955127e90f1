// Builds the published CLI: dist/program.cjs, the whole program in one CommonJS file with the
// templates precompiled and no runtime dependencies, and dist/cli.cjs, the bin that runs it through
// V8's code cache.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_OPTIONS } from '../generators/render/template-helpers.js';
import { templatesDigest } from '../generators/model/templates-digest.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const templatesDir = join(root, 'templates');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The precompiled replacement for generators/render/template-source.ts. */
export function precompiledTemplatesModule(): string {
  const hbs: string[] = [];
  const raw: string[] = [];
  for (const file of walk(templatesDir).sort()) {
    const rel = relative(templatesDir, file).split('\\').join('/');
    const src = readFileSync(file, 'utf8');
    if (rel.endsWith('.hbs')) {
      hbs.push(`${JSON.stringify(rel)}: ${Handlebars.precompile(src, TEMPLATE_OPTIONS)}`);
    } else {
      raw.push(`${JSON.stringify(rel)}: ${JSON.stringify(src)}`);
    }
  }
  return `import Handlebars from 'handlebars/runtime';
import { TEMPLATE_OPTIONS } from './generators/render/template-helpers.ts';
const hbs = {${hbs.join(',\n')}};
const raw = {${raw.join(',\n')}};
export function createEnv() { return Handlebars.create(); }
export function loadHandlebars(env, path) {
  const spec = hbs[path];
  if (!spec) throw new Error('no template ' + path);
  return env.template(spec);
}
// A preset's templates are compiled at run time, by the compiler in a file of its own
// (dist/handlebars.cjs), loaded only when a preset is used.
export function compileSource(env, source) {
  const spec = require('./handlebars.cjs').precompile(source, TEMPLATE_OPTIONS);
  return env.template(new Function('return ' + spec)());
}
export function loadRaw(path) {
  const text = raw[path];
  if (text === undefined) throw new Error('no template ' + path);
  return text;
}
`;
}

const bundlePlugin: Plugin = {
  name: 'cgks',
  setup(b) {
    b.onResolve({ filter: /template-source\.js$/ }, () => ({ path: 'precompiled-templates', namespace: 'cgks' }));
    b.onLoad({ filter: /.*/, namespace: 'cgks' }, () => ({
      contents: precompiledTemplatesModule(),
      resolveDir: root,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/handlebars\.cjs$/ }, () => ({ path: './handlebars.cjs', external: true }));
    // node-plop's static inquirer import goes to a lazy stand-in.
    // Our own imports of inquirer load dist/inquirer.cjs, a file of its own: half the bundle's
    // bytes (iconv-lite, rxjs) that only an interactive run needs.
    b.onResolve({ filter: /^inquirer$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/node-plop/`)
        ? { path: join(root, 'generators/plumbing/lazy-inquirer.ts') }
        : { path: './inquirer.cjs', external: true },
    );
    // fdir (under node-plop's tinyglobby) probes for an optional picomatch with require() when
    // loaded. From the bundle that finds whatever picomatch sits in the user's node_modules
    // (and costs ~10 ms in a checkout); nothing we run calls fdir's glob(), so drop the probe.
    b.onLoad({ filter: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const probe = /try \{\s*__require\.resolve\("picomatch"\);\s*pm = __require\("picomatch"\);\s*\} catch \{\}/;
      if (!probe.test(src)) throw new Error(`fdir changed: the picomatch probe was not found in ${args.path}`);
      return { contents: src.replace(probe, ''), loader: 'js' };
    });
    // Only precompiled templates are rendered, so the Handlebars compiler is not shipped.
    b.onResolve({ filter: /^handlebars$/ }, () => ({ path: join(root, 'node_modules/handlebars/dist/cjs/handlebars.runtime.js') }));
  },
};

// Every output is CommonJS for Node 20: V8 caches compiled code only for classic scripts there
// (bin/code-cache.ts).
const NODE_CJS = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' } as const satisfies BuildOptions;

/** esbuild options of the program bundle (also used by the bench's metafile build). */
export function programBuildOptions(outfile: string): BuildOptions {
  return {
    ...NODE_CJS,
    entryPoints: [join(root, 'bin/program.ts')],
    outfile,
    minify: true,
    legalComments: 'linked',
    // Lazily loaded parts (plop, execa, yaml, diff) stay lazy: esbuild wraps each module in a
    // function run on first require, and import() of a builtin becomes require().
    supported: { 'dynamic-import': false },
    define: { __GENERATOR_VERSION__: JSON.stringify(pkg.version), __TEMPLATES_DIGEST__: JSON.stringify(templatesDigest(root)), 'import.meta.url': '__cgksMetaUrl' },
    // The banner comes before esbuild's own "use strict", which would then be no directive.
    banner: { js: "\"use strict\";var __cgksMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    // jsonc-parser's main build is UMD with run-time requires esbuild cannot follow: use its ESM build.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    plugins: [bundlePlugin],
  };
}

export async function buildBundle(outdir = join(root, 'dist')): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  const program = join(outdir, 'program.cjs');
  await build(programBuildOptions(program));
  await build({
    ...NODE_CJS,
    // module.exports is inquirer itself: import() of a CommonJS file gives module.exports as default.
    stdin: { contents: "module.exports = require('inquirer').default;", resolveDir: root, loader: 'js' },
    outfile: join(outdir, 'inquirer.cjs'),
    minify: true,
    legalComments: 'linked',
  });
  await build({
    ...NODE_CJS,
    // The Handlebars compiler, for presets' templates only.
    stdin: { contents: "module.exports = require('./node_modules/handlebars/dist/cjs/handlebars.js').default;", resolveDir: root, loader: 'js' },
    outfile: join(outdir, 'handlebars.cjs'),
    minify: true,
    legalComments: 'linked',
  });
  const key = createHash('sha256').update(readFileSync(program)).digest('hex').slice(0, 16);
  await build({
    ...NODE_CJS,
    entryPoints: [join(root, 'bin/cli.ts')],
    outfile: join(outdir, 'cli.cjs'),
    define: { __PROGRAM_KEY__: JSON.stringify(key) },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBundle();
}
