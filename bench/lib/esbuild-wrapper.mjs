// esbuild as scripts/build.ts sees it under bench/lib/esbuild-hook.mjs: build() also returns
// and keeps the metafile (globalThis.__cgksMetafile).
import * as esbuild from 'esbuild';

export * from 'esbuild';

export async function build(options) {
  const result = await esbuild.build({ ...options, metafile: true });
  globalThis.__cgksMetafile = result.metafile;
  return result;
}

export default { ...esbuild, build };
