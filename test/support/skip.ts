// One skip policy for tests that need something this machine may lack (root, a cgroup
// hierarchy, container images): elsewhere they are skipped, with the reason on stderr; under
// CI=true a skip fails instead, since a CI run that skips them silently proves nothing.
// A suite that is only ever run on purpose (`npm run test:cluster`) never skips: mustRunHere().
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/** Registers `names` as skipped here (or, under CI=true, one failing test saying why). */
export function cannotRunHere(what: string, why: string, names: readonly string[] = [what]): void {
  if (process.env.CI === 'true') {
    test(`${what} can run on CI`, () => assert.unreachable(`${what}: cannot run here: ${why}`));
    return;
  }
  process.stderr.write(`${what}: skipped: ${why}\n`);
  for (const name of names) test.skip(name, () => {});
}

/**
 * For suites run only when asked for by name (the real-cluster suite): one failing test saying
 * why it cannot run here, whatever CI says, so asking for it without what it needs never passes.
 */
export function mustRunHere(what: string, why: string): void {
  test(`${what} can run here`, () => assert.unreachable(`${what}: cannot run here: ${why}`));
}
