// Builds the bundle exactly as scripts/build.ts does, into another directory, and writes
// esbuild's metafile of the program: `node --import tsx bench/lib/metafile-build.ts <outdir> <metafile.json>`.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle, programBuildOptions } from '../../scripts/build.ts';

const [outdir, metafile] = process.argv.slice(2);
if (!outdir || !metafile) throw new Error('usage: metafile-build.ts <outdir> <metafile.json>');
await buildBundle(outdir);
// The same program again (same options, same bytes) for its metafile.
const { metafile: meta } = await build({ ...programBuildOptions(join(outdir, 'program.cjs')), metafile: true });
writeFileSync(metafile, JSON.stringify(meta));
