// Facts about the machine that defaults depend on, found without spawning processes
// where possible (start-up time is product time for an npm create tool).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { isatty } from 'node:tty';

/** What the machine says about defaults. */
export interface Environment {
  /** The local Go's minor version ("1.26"), when Go is installed. */
  localGoVersion?: string;
}

/** The local Go's minor version ("1.26"), read from GOROOT/VERSION of the go on PATH. */
export function localGoVersion(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const bin = join(dir, 'go');
    if (!existsSync(bin)) continue;
    try {
      const goroot = dirname(dirname(realpathSync(bin)));
      const first = readFileSync(join(goroot, 'VERSION'), 'utf8').split('\n')[0] ?? '';
      const m = /^go1\.(\d+)/.exec(first);
      if (m) return `1.${m[1]}`;
    } catch {
      // a go without a VERSION file (a distribution package): fall through to the default
    }
    return undefined;
  }
  return undefined;
}

export function detectEnvironment(): Environment {
  return { localGoVersion: localGoVersion() };
}

/** Whether we may prompt: a terminal on stdin and stderr, and not a CI job. */
export function isInteractive(): boolean {
  // CI=false (or 0) is how some set-ups say "not CI".
  const ci = process.env.CI !== undefined && !['', 'false', '0'].includes(process.env.CI);
  // isatty() rather than process.stdin.isTTY: touching process.stdin builds a stream (~3 ms).
  return isatty(0) && isatty(2) && !ci;
}
