// Builds the bundle exactly as scripts/build.ts does, into another directory, and writes
// esbuild's metafile: `node --import tsx bench/lib/metafile-build.ts <outdir> <metafile.json>`.
import { writeFileSync } from 'node:fs';
import { register } from 'node:module';

const [outdir, metafile] = process.argv.slice(2);
if (!outdir || !metafile) throw new Error('usage: metafile-build.ts <outdir> <metafile.json>');
register('./esbuild-hook.mjs', import.meta.url);
const { buildBundle } = await import('../../scripts/build.ts');
await buildBundle(outdir);
const meta = (globalThis as { __cgksMetafile?: unknown }).__cgksMetafile;
if (!meta) throw new Error('esbuild returned no metafile (did the hook apply?)');
writeFileSync(metafile, JSON.stringify(meta));
