// The preset manifest's JSON Schema (schema/go-k8s-service-preset.schema.json, published for
// editors) and its validator, compiled by ajv at run time here. The published bundle replaces
// this module (scripts/build.ts): same exports, the validator compiled at build time by ajv's
// standalone code generation into dist/preset-schema.cjs, loaded only when a preset is, so
// neither ajv nor the schema's descriptions are shipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

/** The schema as the refusal messages read it: properties, items, "x-rule" (the rule a refusal names), "x-name". */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  'x-rule'?: string;
  'x-name'?: string;
}

let schema: SchemaNode | undefined;
let compiled: ValidateFunction | undefined;

/** The schema (its validation keywords, x-rule and x-name; the bundle's copy has no descriptions). */
export function presetSchema(): SchemaNode {
  schema ??= JSON.parse(readFileSync(new URL('../../../schema/go-k8s-service-preset.schema.json', import.meta.url), 'utf8')) as SchemaNode;
  return schema;
}

/** The ajv options the bundle's standalone validator is compiled with, too. */
export const AJV_OPTIONS = { keywords: ['x-rule', 'x-name'], strict: true, allowUnionTypes: true, allErrors: true };

/** Validates a parsed manifest; on failure, `validatePresetManifest.errors` holds ajv's errors (all of them). */
export const validatePresetManifest = ((data: unknown) => {
  if (!compiled) {
    // ajv is a devDependency: only this unbundled module loads it.
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    compiled = new Ajv(AJV_OPTIONS).compile(presetSchema());
  }
  const ok = compiled(data);
  validatePresetManifest.errors = compiled.errors;
  return ok;
}) as ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };
