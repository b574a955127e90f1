// Templates read from templates/ and compiled at run time. The published bundle replaces
// this module with precompiledTemplatesModule() (see scripts/build.ts): same exports,
// templates compiled at build time and the Handlebars compiler left out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { TEMPLATE_OPTIONS } from './template-helpers.js';

export type Env = typeof Handlebars;
export type Render = (context: object) => string;

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

export function createEnv(): Env {
  return Handlebars.create();
}

export function loadHandlebars(env: Env, path: string): Render {
  const source = readFileSync(templatesDir + path, 'utf8');
  return env.compile(source, TEMPLATE_OPTIONS);
}

/**
 * Compiles a template that was not there at build time (a preset's), at once (env.compile
 * would wait for the first render), the way the bundle does it (scripts/build.ts).
 */
export function compileSource(env: Env, source: string): Render {
  const spec = env.precompile(source, TEMPLATE_OPTIONS) as unknown as string;
  return env.template(new Function(`return ${spec}`)());
}

export function loadRaw(path: string): string {
  return readFileSync(templatesDir + path, 'utf8');
}
