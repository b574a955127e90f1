// The CLI program, bundled into one file (dist/program.cjs) that bin/cli.ts runs.
import { main } from '../generators/cli/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
