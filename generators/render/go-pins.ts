// go.mod and go.sum are data, not templates: go-pins.json lists, per baseline Go, every module
// the service may require and every go.sum line, each with the options that need it (written by
// scripts/pin-go-deps.ts from what `go mod tidy` wrote for every combination). Rendering is a
// filter over that list.
import pins from './go-pins.json' with { type: 'json' };
import type { Answers } from '../model/questions.js';

/** The options that change the Go dependencies. */
export const GO_PIN_FEATURES = ['metrics', 'tracing', 'postgres', 'automaxprocs'] as const;
export type GoPinFeature = (typeof GO_PIN_FEATURES)[number];

/**
 * When a line is there: any of these terms holds. A term is "*" (always), features joined by
 * "+" (all of them on), or "=" and features (exactly these on, no other).
 */
export type When = string[];

export interface Requirement {
  path: string;
  version: string;
  when: When;
  /** When the service imports it itself (else `// indirect`). */
  direct?: When;
}

export interface SumLine {
  path: string;
  version: string;
  /** The hash of the module's go.mod alone (`<version>/go.mod`). */
  goMod?: true;
  h1: string;
  when: When;
}

export interface GoPins {
  /** The oldest supported Go's baseline; every newer Go uses `newer`. */
  baselines: Record<string, { require: Requirement[]; sum: SumLine[] }>;
}

const data = pins as unknown as GoPins & { oldest: string; newer: string };

export function featuresOf(a: Pick<Answers, 'metrics' | 'tracing' | 'database' | 'automaxprocs'>): Set<GoPinFeature> {
  return new Set(GO_PIN_FEATURES.filter((f) => (f === 'postgres' ? a.database === 'postgres' : a[f])));
}

const exactly = (on: Set<string>) => `=${GO_PIN_FEATURES.filter((f) => on.has(f)).join('+')}`;
const holds = (when: When, on: Set<string>) =>
  when.some((t) => t === '*' || (t.startsWith('=') ? t === exactly(on) : t.split('+').every((f) => on.has(f))));

function baseline(goVersion: string) {
  return data.baselines[goVersion === data.oldest ? data.oldest : data.newer]!;
}

export function renderGoMod(
  a: Pick<Answers, 'module' | 'goVersion' | 'metrics' | 'tracing' | 'database' | 'automaxprocs'>,
  goVersionFull: string,
): string {
  const on = featuresOf(a);
  const required = baseline(a.goVersion).require.filter((r) => holds(r.when, on));
  const direct = required.filter((r) => r.direct && holds(r.direct, on)).map((r) => `\t${r.path} ${r.version}\n`);
  const indirect = required.filter((r) => !(r.direct && holds(r.direct, on))).map((r) => `\t${r.path} ${r.version} // indirect\n`);
  const block = (lines: string[]) => (lines.length > 0 ? `\nrequire (\n${lines.join('')})\n` : '');
  return `module ${a.module}\n\ngo ${goVersionFull}\n${block(direct)}${block(indirect)}`;
}

export function renderGoSum(a: Pick<Answers, 'goVersion' | 'metrics' | 'tracing' | 'database' | 'automaxprocs'>): string {
  const on = featuresOf(a);
  return baseline(a.goVersion)
    .sum.filter((s) => holds(s.when, on))
    .map((s) => `${s.path} ${s.version}${s.goMod ? '/go.mod' : ''} ${s.h1}\n`)
    .join('');
}
