// The CI file: the checks run through make, so `make <target>` locally is what CI does.
import type { Answers } from '../../model/questions.js';
import { withoutComments, type Checker } from './checker.js';
import { repoMakeTargets } from './makefile.js';

/** What CI must run through make, so `make <target>` locally is what CI does. */
export const CI_MAKE_TARGETS = ['vet', 'lint', 'test', 'build', 'helm-lint', 'helm-template', 'vuln'] as const;

/** The repo's CI file for its answers; undefined with --ci none. */
export function ciFile(a: Answers): string | undefined {
  return a.ci === 'github' ? '.github/workflows/ci.yml' : a.ci === 'gitlab' ? '.gitlab-ci.yml' : undefined;
}

/** The make targets a CI file runs: `make <target>` on one line, after optional VAR=value and -flags. */
export function ciMakeCalls(text: string): Set<string> {
  // `apk add make` ends its line, so it calls nothing.
  return new Set(
    [...withoutComments(text).matchAll(/(?:^|[\s;&|(])make[ \t]+(?:[A-Za-z_][A-Za-z0-9_]*=\S*[ \t]+|-\S+[ \t]+)*([a-z][a-z0-9_-]*)/gm)].map(
      (m) => m[1]!,
    ),
  );
}

export function checkCiMake(c: Checker, a: Answers): void {
  const file = ciFile(a)!;
  const text = c.read('ci-make', file);
  if (text === undefined) return;
  const called = ciMakeCalls(text);
  const missing = CI_MAKE_TARGETS.filter((t) => !called.has(t));
  if (missing.length > 0) c.fail('ci-make', file, `${file} does not run ${missing.map((t) => `make ${t}`).join(', ')}`);
  const makefile = repoMakeTargets(c);
  if (makefile) {
    const unknown = [...called].filter((t) => !makefile.has(t));
    if (unknown.length > 0)
      c.fail('ci-make', file, `${file} runs ${unknown.map((t) => `make ${t}`).join(', ')}, which the Makefile does not define`);
  }
}
