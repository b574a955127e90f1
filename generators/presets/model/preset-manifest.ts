// The shape of go-k8s-service-preset.yaml is its JSON Schema (preset-schema.ts); this turns the
// schema's first objection into the one line a refusal is: the manifest, where (defaults.port,
// questions[1] (costCentre): message) and the rule, from the schema's "x-rule".
import type { ErrorObject } from 'ajv';
import { presetSchema, validatePresetManifest, type SchemaNode } from './preset-schema.js';

import { PRESET_MANIFEST } from './preset.js';

/** Why the parsed manifest does not fit its schema, as one line; undefined when it does. */
export function manifestProblem(manifest: unknown): string | undefined {
  if (validatePresetManifest(manifest)) return undefined;
  const errors = validatePresetManifest.errors ?? [];
  if (errors.length === 0) return `${PRESET_MANIFEST} does not fit its schema`;
  // The first objection in reading order: at each level unknown keys, then the keys in the
  // schema's order (ajv itself reports a missing key before a wrong one).
  const ranked = errors.map((e) => ({ e, rank: rank(e) }));
  ranked.sort((a, b) => compareRanks(a.rank, b.rank));
  return describe(ranked[0]!.e, manifest);
}

const segmentsOf = (err: ErrorObject): string[] => {
  const segments = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  // A missing required key fails as that key would.
  if (err.keyword === 'required') segments.push((err.params as { missingProperty: string }).missingProperty);
  return segments;
};

/** Where an error sits in reading order: per level, a list index or the key's place in the schema (-1: an unknown key). */
function rank(err: ErrorObject): number[] {
  const out: number[] = [];
  let node: SchemaNode | undefined = presetSchema();
  for (const seg of segmentsOf(err)) {
    if (node?.items) {
      out.push(Number(seg));
      node = node.items;
    } else {
      out.push(Object.keys(node?.properties ?? {}).indexOf(seg));
      node = node?.properties?.[seg] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    }
  }
  if (err.keyword === 'additionalProperties') out.push(-1);
  return out;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function describe(err: ErrorObject, manifest: unknown): string {
  const segments = segmentsOf(err);
  let node: SchemaNode | undefined = presetSchema();
  let value: unknown = manifest;
  let where = '';
  /** A scalar list's item is named by its list ("locked: unknown answer 5"). */
  let listItem = false;
  for (const seg of segments) {
    const parent: SchemaNode = node ?? {};
    const parentValue = value;
    value = (value as Record<string, unknown> | undefined)?.[seg];
    if (parent.items) {
      node = parent.items;
      listItem = node.type !== 'object';
      if (!listItem) where += `[${seg}]`;
      continue;
    }
    node = parent.properties?.[seg] ?? (typeof parent.additionalProperties === 'object' ? parent.additionalProperties : undefined);
    // A field of a list item: "questions[1] (costCentre): message"; else dotted: "waivers.maxDays".
    const name = parent['x-name'];
    if (name) {
      const named = (parentValue as Record<string, unknown>)[name];
      where += `${seg !== name && typeof named === 'string' ? ` (${named})` : ''}: ${seg}`;
    } else where += where ? `.${seg}` : seg;
  }
  const at = where ? `${PRESET_MANIFEST}: ${where}` : PRESET_MANIFEST;
  if (err.keyword === 'additionalProperties') {
    const key = (err.params as { additionalProperty: string }).additionalProperty;
    return `${at}: unknown key ${JSON.stringify(key)} (known: ${Object.keys(node?.properties ?? {}).join(', ')})`;
  }
  const rule = node?.['x-rule'] ?? err.message ?? 'does not fit the schema';
  if (listItem && rule.includes('{value}')) return `${at}: ${rule.replace('{value}', JSON.stringify(value) ?? String(value))}`;
  return `${at} ${rule}`;
}

/** A manifest that fits the schema (the types say what the schema promises). */
export interface Manifest {
  defaults?: Record<string, string | number | boolean>;
  locked?: string[];
  questions?: {
    key: string;
    message: string;
    type?: 'string' | 'choice' | 'boolean';
    choices?: string[];
    default?: unknown;
    pattern?: string;
    multiline?: boolean;
  }[];
  patches?: ({ file: string } & Partial<Record<'append' | 'before' | 'after' | 'replace' | 'with' | 'insert', string>>)[];
  conventions?: { id: string; file: string; message: string; require?: string; forbid?: string }[];
  waivers?: { maxDays?: number; unwaivable?: string[]; require?: ('file' | 'message')[] };
  catalog?: { sourceLocation: string };
}
