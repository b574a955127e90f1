// Which validation tools test/run.ts provisions before the clocks start: only what the files it
// runs use. A file that imports test/support/tools.js or image.js gets the whole default set of
// scripts/install-tools.sh, unless it names what it uses in a line comment,
// `// test-tools: helm crds`; then only the union of the names is installed.

const DECLARED = /^\/\/ test-tools: (.+)$/m;

/** The names a file declares, or undefined when it declares none. */
export function declaredTools(text: string): string[] | undefined {
  return DECLARED.exec(text)?.[1]?.trim().split(/\s+/).filter(Boolean);
}

/** What to pass to install-tools.sh for these files: 'none', 'all' (no argument), or the names. */
export function toolsToProvision(texts: readonly string[]): 'none' | 'all' | string[] {
  const users = texts.filter((t) => /support\/(tools|image)\.js'/.test(t));
  if (users.length === 0) return 'none';
  const names = users.map(declaredTools);
  if (names.some((n) => n === undefined)) return 'all';
  return [...new Set(names.flatMap((n) => n!))].sort();
}
