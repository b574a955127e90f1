// Renders the file table for one set of answers. Handlebars is set up once: no HTML
// escaping, missing variables are errors, and user text goes through escape.ts helpers.
import { filesFor, outputPath, templatePath, type OutputFile } from './files.js';
import { goImage, IMAGES } from './image-pins.js';
import type { Answers } from './questions.js';
import { HELPERS } from './template-helpers.js';
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

/** Registers the template helpers (template-helpers.ts) on a Handlebars environment. */
export function registerHelpers(h: Env): void {
  for (const [name, fn] of Object.entries(HELPERS)) h.registerHelper(name, fn);
}

/** Everything a template can see: the answers plus values derived from them. */
export function templateContext(a: Answers): Record<string, unknown> {
  return {
    ...a,
    goVersionFull: `${a.goVersion}.0`,
    adminPort: adminPortFor(a.port),
    generatorVersion: GENERATOR_VERSION,
    ciGithub: a.ci === 'github',
    ciGitlab: a.ci === 'gitlab',
    images: { ...IMAGES, go: goImage(a.goVersion) },
  };
}

/**
 * The port of the admin server (metrics, opt-in pprof), kept off the public port: 9090,
 * a common metrics port, or 9091 when the service itself listens on 9090.
 */
export function adminPortFor(port: number): number {
  return port === 9090 ? 9091 : 9090;
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
