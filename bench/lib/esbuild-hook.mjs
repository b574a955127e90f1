// Module hook for bench/lib/metafile-build.ts: scripts/build.ts's `import ... from 'esbuild'`
// gets a wrapper that asks esbuild for a metafile, without touching scripts/build.ts.
export async function resolve(specifier, context, next) {
  if (specifier === 'esbuild' && context.parentURL && /\/scripts\/build\.ts$/.test(context.parentURL)) {
    return { url: new URL('./esbuild-wrapper.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
