// Go source: git's line merge, and one rule more. Where one side only added lines right before or
// after lines the other side changed (a team's route added below a generated line that a release
// removed, next to a line the release added), git calls the adjacent edits a conflict; here both
// are kept, the added lines on their side of the changed ones. Only for Go: the compiler and vet
// judge the result in the pull request, which nothing does for a Dockerfile or a README.
import { MERGE_LABELS, type MergeResult, mergeText } from './merge.js';

const [OURS, BASE, THEIRS] = MERGE_LABELS;
const START = `<<<<<<< ${OURS}`;
const BASE_MARK = `||||||| ${BASE}`;
const MIDDLE = '=======';
const END = `>>>>>>> ${THEIRS}`;

export function mergeGoSource(ours: string, base: string, theirs: string): MergeResult {
  const merged = mergeText(ours, base, theirs, { diff3: true });
  if (merged.conflicts === 0) return merged;
  const lines = merged.text.split(/(?<=\n)/);
  const out: string[] = [];
  let conflicts = 0;
  for (let i = 0; i < lines.length; i++) {
    if (stripEol(lines[i]!) !== START) {
      out.push(lines[i]!);
      continue;
    }
    const b = lines.findIndex((l, k) => k > i && stripEol(l) === BASE_MARK);
    const m = lines.findIndex((l, k) => k > b && stripEol(l) === MIDDLE);
    const e = lines.findIndex((l, k) => k > m && stripEol(l) === END);
    const [o, bs, t] = [lines.slice(i + 1, b), lines.slice(b + 1, m), lines.slice(m + 1, e)];
    const resolved = besideChange(o, bs, t) ?? besideChange(t, bs, o);
    if (resolved) out.push(...resolved);
    else {
      out.push(lines[i]!, ...o, lines[m]!, ...t, lines[e]!);
      conflicts++;
    }
    i = e;
  }
  return { text: out.join(''), conflicts };
}

/**
 * When `adder` is the base with lines added only before or only after it, and `changer` changed the
 * base, the changer's lines with the adder's added ones on their side; else undefined (a real
 * clash, or both sides adding at one place, stays a conflict).
 */
function besideChange(adder: string[], base: string[], changer: string[]): string[] | undefined {
  if (base.length === 0 || adder.length <= base.length || same(changer, base)) return undefined;
  const added = adder.length - base.length;
  if (same(adder.slice(0, base.length), base) && !startsWith(changer, base)) return [...changer, ...adder.slice(base.length)];
  if (same(adder.slice(added), base) && !endsWith(changer, base)) return [...adder.slice(0, added), ...changer];
  return undefined;
}

const stripEol = (l: string) => l.replace(/\r?\n$/, '');
const same = (a: string[], b: string[]) => a.length === b.length && a.every((l, k) => stripEol(l) === stripEol(b[k]!));
const startsWith = (a: string[], b: string[]) => a.length >= b.length && same(a.slice(0, b.length), b);
const endsWith = (a: string[], b: string[]) => a.length >= b.length && same(a.slice(a.length - b.length), b);
