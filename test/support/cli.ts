// Runs the built CLI (dist/cli.cjs, what npm ships) as a child process without a TTY.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

export const CLI = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** opts.cli: another build's bin (an extracted release's package/dist/cli.cjs). */
export async function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; cli?: string } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, [opts.cli ?? CLI, ...args], {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', ...opts.env },
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeout ?? 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI refuses these arguments as bad usage: exit 2 and one stderr line matching message. */
export async function assertUsageError(args: readonly string[], message: RegExp, cwd: string): Promise<void> {
  const r = await runCli([...args], { cwd });
  assert.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
}
