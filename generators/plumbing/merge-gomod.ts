// go.mod and go.sum merged by what they mean rather than by line: a module only the team
// added stays, one only the generator bumped takes the new version, and where both changed a
// requirement the higher version wins (what minimal version selection would pick anyway).
import { formatGoMod, GoModError, isIndirect, meaningOf, parseGoMod, unquote, type ModStmt } from './gomod.js';
import { compareSemver } from './semver.js';

/** The identity of a statement: two sides "changed the same thing" when keys match. */
function keyOf(s: ModStmt): string {
  const t = s.tokens.map(unquote);
  switch (s.verb) {
    case 'module':
    case 'go':
    case 'toolchain':
      return s.verb;
    case 'require':
      return `require ${t[0]}`;
    case 'replace': {
      const arrow = t.indexOf('=>');
      return `replace ${t.slice(0, arrow).join('@')}`;
    }
    case 'godebug':
      return `godebug ${t.join('').split('=')[0]}`;
    default:
      return `${s.verb} ${t.join(' ')}`;
  }
}

const same = (a: ModStmt | undefined, b: ModStmt | undefined): boolean =>
  a === b ||
  (a !== undefined && b !== undefined && a.tokens.join(' ') === b.tokens.join(' ') && isIndirect(a.suffix) === isIndirect(b.suffix));

/** Go's own version order for go and toolchain lines: 1.26.1 < 1.26.10, go1.26rc1 < go1.26.0. */
function compareGoVersion(a: string, b: string): number {
  const norm = (v: string) => {
    const m = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?/.exec(unquote(v)) ?? [];
    return `v${m[1] ?? 0}.${m[2] ?? 0}.${m[3] ?? 0}${m[4] ? `-${m[4]}.${m[5]}` : ''}`;
  };
  return compareSemver(norm(a), norm(b));
}

/** Both sides changed one statement: the one to keep, or undefined when no rule decides. */
function resolveBoth(key: string, o: ModStmt | undefined, t: ModStmt | undefined): ModStmt | undefined | 'conflict' {
  // A statement one side removed and the other changed: whoever still needs it keeps it.
  if (!o || !t) return o ?? t;
  if (o.verb === 'require') {
    const winner = compareSemver(unquote(o.tokens[1]!), unquote(t.tokens[1]!)) >= 0 ? o : t;
    // Direct on either side means the module's code imports it.
    const indirect = isIndirect(o.suffix) && isIndirect(t.suffix);
    const suffix = indirect ? (isIndirect(o.suffix) ? o.suffix : t.suffix) : isIndirect(o.suffix) ? undefined : o.suffix;
    return { ...winner, before: o.before, suffix };
  }
  if (o.verb === 'go' || o.verb === 'toolchain') return compareGoVersion(o.tokens[0]!, t.tokens[0]!) >= 0 ? o : t;
  // The team's replace and godebug settings are theirs to make.
  if (o.verb === 'replace' || o.verb === 'godebug') return o;
  void key;
  return 'conflict';
}

export interface StructuredMerge {
  text: string;
  conflicts: number;
}

/** Merges go.mod by directive and module path; throws GoModError when a side does not parse. */
export function mergeGoMod(ours: string, base: string, theirs: string): StructuredMerge {
  const sides = [ours, base, theirs].map((text) => {
    const mod = parseGoMod(text);
    meaningOf(mod); // refuse what modfile refuses
    return mod;
  });
  const [o, b, t] = sides.map((mod) => new Map(mod!.stmts.map((s) => [keyOf(s), s])));
  const keys = [...o!.keys(), ...[...t!.keys()].filter((k) => !o!.has(k))];
  const stmts: ModStmt[] = [];
  for (const key of keys) {
    const [os, bs, ts] = [o!.get(key), b!.get(key), t!.get(key)];
    let pick: ModStmt | undefined | 'conflict';
    if (same(os, ts)) pick = os;
    else if (same(os, bs)) pick = ts;
    else if (same(ts, bs)) pick = os;
    else pick = resolveBoth(key, os, ts);
    if (pick === 'conflict') throw new GoModError(`both sides changed ${key} differently`);
    if (pick) stmts.push(pick);
  }
  const merged = { stmts, trailing: sides[0]!.trailing };
  // Nothing new from the generator: the team's file stays byte for byte.
  const unchanged = stmts.length === sides[0]!.stmts.length && stmts.every((s, i) => s === sides[0]!.stmts[i]);
  return { text: unchanged ? ours : formatGoMod(merged), conflicts: 0 };
}

/** go.sum is a set of lines: the union of both sides, in go's order; `go mod tidy` prunes it. */
export function mergeGoSum(ours: string, base: string, theirs: string): StructuredMerge {
  void base;
  const lines = new Set<string>();
  for (const text of [ours, theirs]) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      if (!/^\S+ \S+ \S+$/.test(line)) throw new GoModError(`go.sum: malformed line ${JSON.stringify(line)}`);
      lines.add(line);
    }
  }
  const split = (l: string) => {
    const [path, v] = l.split(' ') as [string, string];
    const [version, suffix = ''] = v.split('/');
    return { path, version: version!, suffix };
  };
  const sorted = [...lines].sort((x, y) => {
    const a = split(x);
    const c = split(y);
    return a.path < c.path
      ? -1
      : a.path > c.path
        ? 1
        : compareSemver(a.version, c.version) || (a.suffix < c.suffix ? -1 : a.suffix > c.suffix ? 1 : x < y ? -1 : x > y ? 1 : 0);
  });
  return { text: sorted.length ? `${sorted.join('\n')}\n` : '', conflicts: 0 };
}
