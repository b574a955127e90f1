// Renders examples/<name>/ for every example in scripts/lib/examples.ts with the built CLI
// (dist/), replacing what was there. Usage: npm run examples
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_PRESET, EXAMPLES, exampleArgs } from './lib/examples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = join(root, 'examples');
mkdirSync(examples, { recursive: true });
for (const e of EXAMPLES) {
  // Rendered beside its place (so a folder preset is recorded as ../../docs/example-preset),
  // then swapped in: a failed render leaves the old example.
  const dir = join(examples, `.${e.name}.new`);
  rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(root, 'dist/cli.cjs'), ...exampleArgs(e, dir, join(root, EXAMPLE_PRESET))], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    rmSync(join(examples, e.name), { recursive: true, force: true });
    renameSync(dir, join(examples, e.name));
    console.error(`examples/${e.name}: ${e.why}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writeFileSync(
  join(examples, 'README.md'),
  `# Examples\n\nRepos rendered by this generator, committed so that a template change shows its Go and YAML\ndiff in review and a visitor can read a generated service without running anything.\nRendered by \`npm run examples\` (do not edit them by hand: \`test/cli/examples.test.ts\` fails when one is stale);\nbuilt, tested and linted as Go modules of their own by \`test/e2e/examples.test.ts\`.\n\n| example | what it shows | flags |\n|---|---|---|\n${EXAMPLES.map((e) => `| [${e.name}](${e.name}/) | ${e.why} | \`${e.args.join(' ').replace('{preset}', `../${EXAMPLE_PRESET}`)}\` |`).join('\n')}\n`,
);
