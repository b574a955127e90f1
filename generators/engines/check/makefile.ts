// The Makefile: the standard targets the platform and CI call by name.
import type { Checker } from './checker.js';

/** Every generated service has these; the platform and CI call them by name. */
export const MAKE_TARGETS = [
  'help',
  'build',
  'run',
  'test',
  'vet',
  'lint',
  'fmt',
  'tidy',
  'vuln',
  'docker-build',
  'docker-push',
  'helm-lint',
  'helm-template',
  'clean',
] as const;

/** Targets a Makefile defines: `a b: deps` and `a::` rules, not variables, not .SPECIAL targets. */
export function makeTargets(text: string): Set<string> {
  const targets = new Set<string>();
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of logical) {
    if (/^\t/.test(line) || /^\s*#/.test(line)) continue;
    const m = /^([^:#=\s][^:#=]*?)\s*::?(?![=:])/.exec(line);
    if (!m) continue;
    // `target: VAR := value` (target-specific variables) still defines the target.
    for (const t of m[1]!.trim().split(/\s+/)) if (!t.startsWith('.') && !t.includes('%') && !t.includes('$')) targets.add(t);
  }
  return targets;
}

/** The targets the repo's Makefile defines, or undefined without a Makefile. */
export function repoMakeTargets(c: Checker): Set<string> | undefined {
  return c.once('make-targets', () => {
    const text = c.optional('Makefile');
    return text === undefined ? undefined : makeTargets(text);
  });
}

export function checkMakefileTargets(c: Checker): void {
  if (c.read('makefile-targets', 'Makefile') === undefined) return;
  const have = repoMakeTargets(c)!;
  const missing = MAKE_TARGETS.filter((t) => !have.has(t));
  if (missing.length > 0) c.fail('makefile-targets', 'Makefile', `Makefile lacks the standard target(s): ${missing.join(', ')}`);
}
