// Builds the published CLI: dist/program.cjs, the whole program in one CommonJS file with the
// templates precompiled and no runtime dependencies, and dist/cli.cjs, the bin that runs it through
// V8's code cache.
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_OPTIONS } from '../generators/render/template-helpers.js';
import { templatesDigest } from '../generators/model/templates-digest.js';
import { AJV_OPTIONS, presetSchema, type SchemaNode } from '../generators/presets/model/preset-schema.js';

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

/**
 * dist/preset-schema.cjs: the manifest's validator as ajv's standalone code (no ajv at run time)
 * and the schema without what only editors read. A file of its own, loaded when a preset is.
 */
export function presetSchemaFile(): string {
  // Only what validation and the refusal messages read: no title, description or $schema.
  const lean = (n: SchemaNode): SchemaNode =>
    Object.fromEntries(
      Object.entries(n)
        .filter(([k]) => !['title', 'description', '$schema'].includes(k))
        .map(([k, v]) => [
          k,
          k === 'properties'
            ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, lean(s as SchemaNode)]))
            : v && typeof v === 'object' && !Array.isArray(v)
              ? lean(v as SchemaNode)
              : v,
        ]),
    ) as SchemaNode;
  const schema = lean(presetSchema());
  // No messages: a refusal is worded from the schema's x-rule (presets/model/preset-manifest.ts).
  const ajv = new Ajv({ ...AJV_OPTIONS, messages: false, code: { source: true, esm: true } });
  return `${standalone.default(ajv, ajv.compile(schema))}\nexport const schema = ${JSON.stringify(schema)};\n`;
}

/** The bundle's replacement for generators/presets/model/preset-schema.ts: the same exports, from dist/preset-schema.cjs. */
const PRESET_SCHEMA_MODULE = `
export function presetSchema() { return require('./preset-schema.cjs').schema; }
export function validatePresetManifest(data) {
  const { validate } = require('./preset-schema.cjs');
  const ok = validate(data);
  validatePresetManifest.errors = validate.errors;
  return ok;
}
`;

const bundlePlugin: Plugin = {
  name: 'cgks',
  setup(b) {
    b.onResolve({ filter: /template-source\.js$/ }, () => ({ path: 'precompiled-templates', namespace: 'cgks' }));
    b.onResolve({ filter: /preset-schema\.js$/ }, () => ({ path: 'preset-schema', namespace: 'cgks' }));
    b.onLoad({ filter: /.*/, namespace: 'cgks' }, (args) => ({
      contents: args.path === 'preset-schema' ? PRESET_SCHEMA_MODULE : precompiledTemplatesModule(),
      resolveDir: root,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/(handlebars|preset-schema)\.cjs$/ }, (args) => ({ path: args.path, external: true }));
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
    define: {
      __GENERATOR_VERSION__: JSON.stringify(pkg.version),
      __TEMPLATES_DIGEST__: JSON.stringify(templatesDigest(root)),
      'import.meta.url': '__cgksMetaUrl',
    },
    // The banner comes before esbuild's own "use strict", which would then be no directive.
    banner: { js: '"use strict";var __cgksMetaUrl = require(\'node:url\').pathToFileURL(__filename).href;' },
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
    stdin: {
      contents: "module.exports = require('./node_modules/handlebars/dist/cjs/handlebars.js').default;",
      resolveDir: root,
      loader: 'js',
    },
    outfile: join(outdir, 'handlebars.cjs'),
    minify: true,
    legalComments: 'linked',
  });
  await build({
    ...NODE_CJS,
    stdin: { contents: presetSchemaFile(), resolveDir: root, loader: 'js' },
    outfile: join(outdir, 'preset-schema.cjs'),
    minify: true,
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
