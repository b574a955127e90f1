// Renders the file table for one set of answers. Handlebars is set up once: no HTML
// escaping, missing variables are errors, and user text goes through escape.ts helpers.
import { filesFor, outputPath, templatePath, type OutputFile } from './files.js';
import type { Answers } from './questions.js';
import * as escape from './escape.js';
import { createEnv, loadHandlebars, loadRaw, type Env, type Render } from './template-source.js';
import { GENERATOR_VERSION } from './version.js';

export interface RenderedFile {
  path: string;
  content: string;
  file: OutputFile;
}

let env: Env | undefined;
const cache = new Map<string, Render>();

function handlebars(): Env {
  if (env) return env;
  env = createEnv();
  registerHelpers(env);
  return env;
}

/** The helpers every template may call: escapers for user text, and logic for conditions. */
export function registerHelpers(h: Env): void {
  h.registerHelper('goString', (s: unknown) => escape.goString(String(s)));
  h.registerHelper('yamlString', (s: unknown) => escape.yamlString(String(s)));
  h.registerHelper('jsonString', (s: unknown) => escape.jsonString(String(s)));
  h.registerHelper('shellQuote', (s: unknown) => escape.shellQuote(String(s)));
  h.registerHelper('goDocTail', (s: unknown) => escape.goDocTail(String(s)));
  h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  h.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  h.registerHelper('not', (a: unknown) => !a);
  h.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  h.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
}

/** Everything a template can see: the answers plus values derived from them. */
export function templateContext(a: Answers): Record<string, unknown> {
  return {
    ...a,
    goVersionFull: `${a.goVersion}.0`,
    generatorVersion: GENERATOR_VERSION,
    ciGithub: a.ci === 'github',
    ciGitlab: a.ci === 'gitlab',
  };
}

export function renderFile(file: OutputFile, a: Answers, context = templateContext(a)): RenderedFile {
  const tpl = templatePath(file);
  let content: string;
  if (file.engine === 'chart') {
    content = loadRaw(tpl).replaceAll('<CHARTNAME>', a.name);
  } else {
    let render = cache.get(tpl);
    if (!render) {
      render = loadHandlebars(handlebars(), tpl);
      cache.set(tpl, render);
    }
    try {
      content = render(context);
    } catch (err) {
      throw new Error(`rendering ${tpl}: ${(err as Error).message}`);
    }
  }
  return { path: outputPath(file, a), content, file };
}

export function renderAll(a: Answers, files: readonly OutputFile[] = filesFor(a)): RenderedFile[] {
  const context = templateContext(a);
  return files.map((f) => renderFile(f, a, context));
}
