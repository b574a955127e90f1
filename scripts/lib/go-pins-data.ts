// From what `go mod tidy` wrote for every combination of the options that change the Go
// dependencies, the pins as data (generators/render/go-pins.json): each module line and go.sum
// line with the option sets that need it. The generator renders go.mod and go.sum from it
// (generators/render/go-pins.ts); scripts/pin-go-deps.ts writes it.
import type { GoPins, Requirement, SumLine } from '../../generators/render/go-pins.js';
import { GO_PIN_FEATURES, type GoPinFeature } from '../../generators/render/go-pins.js';

/** One combination's tidy output: the features it has on, its go.mod and go.sum. */
export interface Variant {
  features: GoPinFeature[];
  goMod: string;
  goSum: string;
}

const key = (features: readonly string[]) =>
  [...features].sort((a, b) => GO_PIN_FEATURES.indexOf(a as GoPinFeature) - GO_PIN_FEATURES.indexOf(b as GoPinFeature)).join('+');

/**
 * The option sets under which something holds, as the fewest terms ("metrics",
 * "tracing+postgres"; "*" for always): the smallest combinations that have it. That is exact
 * when turning more options on never drops it. Otherwise (a module version that tidy keeps
 * only while another option does not pull in a newer one) the exact combinations, each as
 * "=features" ("=" alone: every option off).
 */
export function whenTerms(holdsIn: Set<string>, all: readonly string[][]): string[] {
  const has = (f: readonly string[]) => holdsIn.has(key(f));
  const minimal = all.filter((f) => has(f) && !all.some((g) => g.length < f.length && has(g) && g.every((x) => f.includes(x))));
  // One order whatever the variants' order: fewer options first, then by GO_PIN_FEATURES.
  const rank = (f: readonly string[]) => [f.length, ...GO_PIN_FEATURES.map((x) => (f.includes(x) ? 0 : 1))];
  const canonical = (fs: readonly string[][]) =>
    [...fs].sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      const i = x.findIndex((v, k) => v !== y[k]);
      return i < 0 ? 0 : x[i]! - y[i]!;
    });
  const terms = canonical(minimal).map((f) => key(f) || '*');
  const covered = (f: readonly string[]) => minimal.some((m) => m.every((x) => f.includes(x)));
  if (all.every((f) => covered(f) === has(f))) return terms;
  return canonical(all.filter(has)).map((f) => `=${key(f)}`);
}

const REQUIRE = /^\t(\S+) (\S+)( \/\/ indirect)?$/;

/** Pins for one baseline Go from the variants of every combination. */
export function pinsFromVariants(variants: Variant[]): GoPins['baselines'][string] {
  const all = variants.map((v) => v.features);
  const requires = new Map<string, { path: string; version: string; in: Set<string>; direct: Set<string>; order: number }>();
  const sums = new Map<string, { line: string; in: Set<string>; order: number }>();
  let order = 0;
  for (const v of variants) {
    const k = key(v.features);
    for (const line of v.goMod.split('\n')) {
      const m = REQUIRE.exec(line);
      if (!m) continue;
      const id = `${m[1]} ${m[2]}`;
      const r = requires.get(id) ?? { path: m[1]!, version: m[2]!, in: new Set(), direct: new Set(), order: order++ };
      r.in.add(k);
      if (!m[3]) r.direct.add(k);
      requires.set(id, r);
    }
    for (const line of v.goSum.split('\n').filter(Boolean)) {
      const s = sums.get(line) ?? { line, in: new Set(), order: order++ };
      s.in.add(k);
      sums.set(line, s);
    }
  }
  // go.mod blocks and go.sum are sorted by the go command; keep its order (every variant has it).
  const require: Requirement[] = [...requires.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.order - b.order))
    .map((r) => ({
      path: r.path,
      version: r.version,
      when: whenTerms(r.in, all),
      ...(r.direct.size > 0 ? { direct: whenTerms(r.direct, all) } : {}),
    }));
  const sum: SumLine[] = sortSum([...sums.values()]).map((s) => {
    const [path, version, h1] = s.line.split(' ') as [string, string, string];
    const goMod = version.endsWith('/go.mod');
    return {
      path,
      version: goMod ? version.slice(0, -'/go.mod'.length) : version,
      ...(goMod ? { goMod: true } : {}),
      h1,
      when: whenTerms(s.in, all),
    };
  });
  return { require, sum };
}

/** go.sum's order, as the variants have it: a line keeps its place among the lines of every variant. */
function sortSum<T extends { line: string; order: number }>(lines: T[]): T[] {
  return lines.sort((a, b) => compareSumLines(a.line, b.line) || a.order - b.order);
}

/** The go command sorts go.sum by module path, then by version (semver), the /go.mod line after. */
export function compareSumLines(a: string, b: string): number {
  const [pa, va] = a.split(' ') as [string, string];
  const [pb, vb] = b.split(' ') as [string, string];
  if (pa !== pb) return pa < pb ? -1 : 1;
  const ga = va.endsWith('/go.mod');
  const gb = vb.endsWith('/go.mod');
  const c = compareSemver(ga ? va.slice(0, -7) : va, gb ? vb.slice(0, -7) : vb);
  return c !== 0 ? c : Number(ga) - Number(gb);
}

function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?(?:\+.*)?$/.exec(v);
    return m ? { n: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] } : { n: [0, 0, 0], pre: v };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.n[i] !== y.n[i]) return x.n[i]! - y.n[i]!;
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  const xs = x.pre.split('.');
  const ys = y.pre.split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    if (xs[i] === undefined) return -1;
    if (ys[i] === undefined) return 1;
    if (xs[i] === ys[i]) continue;
    const xn = /^\d+$/.test(xs[i]!);
    const yn = /^\d+$/.test(ys[i]!);
    if (xn && yn) return Number(xs[i]) - Number(ys[i]);
    if (xn !== yn) return xn ? -1 : 1;
    return xs[i]! < ys[i]! ? -1 : 1;
  }
  return 0;
}

/** go-pins.json as people read it in a diff: one module or go.sum line a line. */
export function formatPins(pins: {
  oldest: string;
  newer: string;
  baselines: Record<string, { require: Requirement[]; sum: SumLine[] }>;
}): string {
  const list = (items: object[]) => `[\n${items.map((i) => `      ${JSON.stringify(i)}`).join(',\n')}\n    ]`;
  const baselines = Object.entries(pins.baselines)
    .map(([go, b]) => `    ${JSON.stringify(go)}: {\n    "require": ${list(b.require)},\n    "sum": ${list(b.sum)}\n    }`)
    .join(',\n');
  return `{\n  "//": "Written by scripts/pin-go-deps.ts; run it instead of editing this file.",\n  "oldest": ${JSON.stringify(pins.oldest)},\n  "newer": ${JSON.stringify(pins.newer)},\n  "baselines": {\n${baselines}\n  }\n}\n`;
}
