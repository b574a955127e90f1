// Renders the file table for one set of answers. Handlebars is set up once: no HTML
// escaping, missing variables are errors, and user text goes through escape.ts helpers.
import { catalogContext } from '../model/catalog.js';
import { renderGoMod, renderGoSum } from './go-pins.js';
import { filesFor, outputPath, templatePath, type OutputFile } from '../model/files.js';
import { goImage, IMAGES } from './image-pins.js';
import { presetMessage, presetOf, PresetError, presetPath, type Patch, type Preset } from '../presets/model/preset.js';
import type { Answers } from '../model/questions.js';
import { HELPERS } from './template-helpers.js';
import { compileSource, createEnv, loadHandlebars, loadRaw, type Env, type Render } from './template-source.js';
import { GENERATOR_VERSION } from '../model/version.js';

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
    postgres: a.database === 'postgres',
    deployGitops: a.deploy === 'gitops',
    images: { ...IMAGES, go: goImage(a.goVersion) },
    catalog: catalogContext(a, presetSourceUrl(a)),
    ...presetContext(a),
  };
}

/** The preset's catalog.sourceLocation for these answers: an http(s) URL, or the preset's error. */
function presetSourceUrl(a: Answers): string | undefined {
  const preset = presetOf(a)?.preset;
  if (!preset?.sourceLocation) return undefined;
  const url = presetRender(preset, 'catalog.sourceLocation', () => preset.sourceLocation!(a)).trim();
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(url).protocol) && !/\s/.test(url);
  } catch {
    ok = false;
  }
  if (!ok) throw new PresetError(presetMessage(preset, `catalog.sourceLocation: ${JSON.stringify(url)} is not an http(s) URL`));
  return url;
}

/** A preset's answers as {{preset.<key>}}, and its name and version. */
function presetContext(a: Answers): Record<string, unknown> {
  const p = presetOf(a);
  return p ? { preset: p.answers, presetName: p.preset.name, presetVersion: p.preset.version } : {};
}

/** Compiles a template that is not ours (a preset's) with the same helpers and options. */
export function compileTemplate(source: string): Render {
  return compileSource(handlebars(), source);
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
  const preset = presetOf(a)?.preset;
  const replacement = preset?.templates.find((t) => t.path === file.path);
  if (replacement) {
    content = presetRender(preset!, replacement.file, () => replacement.render(context));
    if (file.engine === 'chart') content = content.replaceAll('<CHARTNAME>', a.name);
  } else if (file.engine === 'pins') {
    content = file.path === 'go.mod' ? renderGoMod(a, `${a.goVersion}.0`) : renderGoSum(a);
  } else if (file.engine === 'chart') {
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
  for (const patch of preset?.patches ?? []) if (patch.file === file.path) content = applyPatch(preset!, patch, content, context, a);
  return { path: outputPath(file, a), content, file };
}

/** Runs a preset's render; a failure names the preset and its file. */
function presetRender(preset: Preset, where: string, render: () => string): string {
  try {
    return render();
  } catch (err) {
    throw new PresetError(presetMessage(preset, `${where}: ${(err as Error).message.split('\n')[0]}`));
  }
}

/** A preset's patch on our generated text; a missing line is the preset's error (our template changed under it). */
function applyPatch(preset: Preset, patch: Patch, content: string, context: object, a: Answers): string {
  const file = presetPath(patch.file, a.name);
  let text = presetRender(preset, `${patch.where} (${file})`, () => patch.text(context));
  if (patch.kind === 'append') return (content === '' || content.endsWith('\n') ? content : `${content}\n`) + text;
  if (!text.endsWith('\n')) text += '\n';
  const lines = content.split('\n');
  const at = lines.flatMap((l, i) => (l === patch.line ? [i] : []));
  if (at.length !== 1) {
    throw new PresetError(
      presetMessage(
        preset,
        `${patch.where}: ${file} has ${at.length === 0 ? 'no' : at.length} line(s) ${JSON.stringify(patch.line)}; a patch needs exactly one`,
      ),
    );
  }
  const i = at[0]!;
  const insert = text.slice(0, -1).split('\n');
  if (patch.kind === 'before') lines.splice(i, 0, ...insert);
  else if (patch.kind === 'after') lines.splice(i + 1, 0, ...insert);
  else lines.splice(i, 1, ...insert);
  return lines.join('\n');
}

export function renderAll(a: Answers, files: readonly OutputFile[] = filesFor(a)): RenderedFile[] {
  const context = templateContext(a);
  return files.map((f) => renderFile(f, a, context));
}
