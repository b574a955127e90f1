// go.mod: a go line new enough for container-aware GOMAXPROCS.
import { MIN_GO_MINOR } from '../../model/validate.js';
import type { Checker } from './checker.js';

export function checkGoLine(c: Checker): void {
  const text = c.read('go-version', 'go.mod');
  if (text === undefined) return;
  const m = /^go\s+(\d+)\.(\d+)(?:\.\d+)?(?:\S*)\s*(?:\/\/.*)?$/m.exec(text);
  if (!m) {
    c.fail('go-version', 'go.mod', `go.mod has no go line; it needs go 1.${MIN_GO_MINOR} or newer (container-aware GOMAXPROCS)`);
    return;
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 1 || (major === 1 && minor < MIN_GO_MINOR)) {
    c.fail(
      'go-version',
      'go.mod',
      `go.mod says go ${m[1]}.${m[2]}; it needs 1.${MIN_GO_MINOR} or newer, or GOMAXPROCS ignores the container's CPU limit`,
    );
  }
}
