// Builds the published CLI: one ESM bundle (with lazily loaded chunks for prompts, plop,
// execa, diff and yaml), templates precompiled, no runtime dependencies.
import { build, type Plugin } from 'esbuild';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_OPTIONS } from '../generators/template-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const templatesDir = join(root, 'templates');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The precompiled replacement for generators/template-source.ts. */
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
export const TEMPLATE_OPTIONS = ${JSON.stringify(TEMPLATE_OPTIONS)};
const hbs = {${hbs.join(',\n')}};
const raw = {${raw.join(',\n')}};
export function createEnv() { return Handlebars.create(); }
export function loadHandlebars(env, path) {
  const spec = hbs[path];
  if (!spec) throw new Error('no template ' + path);
  return env.template(spec);
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
    // node-plop's static inquirer import goes to a lazy stand-in; our own dynamic import of
    // inquirer (in prompts.ts and the stand-in) stays real and lands in its own chunk.
    b.onResolve({ filter: /^inquirer$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/node-plop/`)
        ? { path: join(root, 'generators/lazy-inquirer.ts') }
        : undefined,
    );
    // Only precompiled templates are rendered, so the Handlebars compiler is not shipped.
    b.onResolve({ filter: /^handlebars$/ }, () => ({ path: join(root, 'node_modules/handlebars/dist/cjs/handlebars.runtime.js') }));
  },
};

export async function buildBundle(outdir = join(root, 'dist')): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { cli: join(root, 'bin/cli.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    define: { __GENERATOR_VERSION__: JSON.stringify(pkg.version) },
    banner: {
      js: "import { createRequire as __cgksCreateRequire } from 'node:module'; const require = __cgksCreateRequire(import.meta.url);",
    },
    plugins: [bundlePlugin],
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBundle();
}
