// Go's semver ordering (golang.org/x/mod/semver.Compare), which also orders pseudo-versions
// correctly: v0.0.0-20240101000000-abcdef123456 is a prerelease of v0.0.0, and so on.

interface Parsed {
  major: string;
  minor: string;
  patch: string;
  prerelease: string;
}

function parse(v: string): Parsed | undefined {
  const m =
    /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?)?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.exec(
      v,
    );
  if (!m) return undefined;
  // Like x/mod: v1 and v1.2 are shorthands and take no prerelease or build suffix.
  if ((m[2] === undefined || m[3] === undefined) && (m[4] || m[5])) return undefined;
  const prerelease = m[4] ?? '';
  if (prerelease.split('.').some((id) => /^0\d+$/.test(id.replace(/^-/, '')))) return undefined;
  return { major: m[1]!, minor: m[2] ?? '0', patch: m[3] ?? '0', prerelease };
}

function compareInt(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const xs = a.slice(1).split('.');
  const ys = b.slice(1).split('.');
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return compareInt(x, y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return xs.length === ys.length ? 0 : xs.length < ys.length ? -1 : 1;
}

/** A version go.mod accepts as written: vMAJOR.MINOR.PATCH[-pre][+incompatible]. */
export function isCanonicalSemver(v: string): boolean {
  return parse(v) !== undefined && /^v\d+\.\d+\.\d+(-[^+]*)?(\+incompatible)?$/.test(v);
}

/** -1, 0 or 1 as Go orders the versions; an invalid version is lower than every valid one. */
export function compareSemver(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return (
    compareInt(x.major, y.major) ||
    compareInt(x.minor, y.minor) ||
    compareInt(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

/** The higher of two versions by compareSemver. */
export const maxSemver = (a: string, b: string): string => (compareSemver(a, b) >= 0 ? a : b);
