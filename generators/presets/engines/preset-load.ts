// Loads and validates a preset: a folder, or an npm package (plumbing/npm-package.ts), with a
// package.json (name, version), go-k8s-service-preset.yaml and templates/. Everything is
// checked and compiled up front, so a bad preset stops the run before anything is written:
// one line naming the preset, its file and the rule.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RULES } from '../../engines/check.js';
import { FILES } from '../../model/files.js';
import { fetchPackage, seedPackage } from '../../plumbing/npm-package.js';
import {
  PRESET_MANIFEST,
  presetMessage,
  PresetError,
  type Convention,
  type Patch,
  type Preset,
  type PresetAnswers,
  type PresetQuestion,
  type Render,
  type WaiverPolicy,
  presetPathProblem,
} from '../model/preset.js';
import { showValue } from '../../model/answers.js';
import { manifestProblem, type Manifest } from '../model/preset-manifest.js';
import { QUESTIONS, type AnswerKey } from '../../model/questions.js';
import { compileTemplate } from '../../render/render.js';

const PATCH_KINDS = ['append', 'before', 'after', 'replace'] as const;
/** Bounds on what a preset may ship: it is text for templates, not a payload. */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 1000;

/** An exact npm version, name@1.2.3: it cannot change once published, so it is cached. */
const EXACT = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*@\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** A folder path rather than a package name: ./x, ../x, /x, C:\x, ~/x. */
export const isFolderSpec = (spec: string): boolean => /^(\.{1,2}([\\/]|$)|[\\/]|~[\\/]|[A-Za-z]:[\\/])/.test(spec);

const toPosix = (p: string) => p.split(sep).join('/');

export interface LoadOptions {
  /** A folder spec is relative to this. */
  cwd: string;
  /** The repo the preset is for: a folder is recorded relative to it (create knows it later: recordFolderSource). */
  repoRoot?: string;
}

/** How the record names a folder preset: relative to the repo root, so a checkout elsewhere with the same layout finds it. */
export function folderSource(folder: string, repoRoot: string): string {
  const rel = toPosix(relative(repoRoot, folder));
  // With nothing in common but the file system's root (or another drive), the path itself.
  const shared = rel.split('/').filter((s) => s === '..').length < resolve(repoRoot).split(sep).filter(Boolean).length;
  if (isAbsolute(rel) || !shared) return toPosix(folder);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Loads the preset `spec` names (a folder, or an npm package spec); PresetError when it cannot be used. */
export function loadPreset(spec: string, opts: LoadOptions): Preset {
  let dir: string;
  let source: string | undefined;
  const path = resolve(opts.cwd, spec.replace(/^~(?=[\\/])/, process.env.HOME ?? '~'));
  const tarball = /\.(tgz|tar\.gz)$/.test(spec);
  if (!tarball && (isFolderSpec(spec) || (existsSync(path) && statSync(path).isDirectory()))) {
    dir = path;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PresetError(presetMessage(spec, `no such folder ${dir}`));
    source = folderSource(dir, opts.repoRoot ?? opts.cwd);
  } else {
    try {
      // A tarball is a file here; npm runs elsewhere. Only an exact version is kept in the cache.
      dir = fetchPackage(
        { npm: tarball ? path : spec },
        { what: 'it', ...(EXACT.test(spec) ? { cache: { kind: 'presets', key: spec } } : {}) },
      );
    } catch (err) {
      throw new PresetError(presetMessage(spec, (err as Error).message));
    }
  }
  const preset = loadFolder(dir, spec, source);
  // A tarball is recorded as name@version: its unpacked copy goes where a registry download of
  // that version would, so check, regen and update find it again without a registry.
  if (tarball) seedPackage({ kind: 'presets', key: `${preset.name}@${preset.version}` }, dir);
  return source === undefined ? preset : { ...preset, folder: dir };
}

function loadFolder(dir: string, spec: string, folderSource: string | undefined): Preset {
  const pkgFile = join(dir, 'package.json');
  const linked = (rel: string) =>
    isLink(join(dir, rel)) ? `${rel} is a symbolic link: a preset holds no links (they can point anywhere on the machine)` : undefined;
  const pkgLink = linked('package.json');
  if (pkgLink) throw new PresetError(presetMessage(spec, pkgLink));
  if (!existsSync(pkgFile))
    throw new PresetError(presetMessage(spec, `no package.json in ${dir} (a preset is a package with a name and a version)`));
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
  } catch (err) {
    throw new PresetError(presetMessage(spec, `package.json is not valid JSON: ${(err as Error).message}`));
  }
  if (typeof pkg.name !== 'string' || !pkg.name) throw new PresetError(presetMessage(spec, 'package.json has no "name"'));
  if (typeof pkg.version !== 'string' || !pkg.version) throw new PresetError(presetMessage(spec, 'package.json has no "version"'));
  // Both end up in cache paths and the record: only what npm itself would publish.
  if (!/^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/.test(pkg.name) || pkg.name.length > 214) {
    throw new PresetError(presetMessage(spec, `package.json: name ${JSON.stringify(pkg.name)} is not an npm package name`));
  }
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(pkg.version)) {
    throw new PresetError(presetMessage(spec, `package.json: version ${JSON.stringify(pkg.version)} is not a semantic version`));
  }
  const id = { name: pkg.name, version: pkg.version };
  const fail = (what: string): never => {
    throw new PresetError(presetMessage(id, what));
  };

  for (const rel of [PRESET_MANIFEST, 'templates']) {
    const link = linked(rel);
    if (link) fail(link);
  }
  const manifestFile = join(dir, PRESET_MANIFEST);
  if (!existsSync(manifestFile)) fail(`no ${PRESET_MANIFEST} in ${dir}`);
  let manifest: unknown;
  try {
    manifest = parseYaml(readFileSync(manifestFile, 'utf8'), { uniqueKeys: true }) ?? {};
  } catch (err) {
    fail(`${PRESET_MANIFEST} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  // The shape (keys, types, names) is the schema's; what follows checks what a schema cannot
  // see: answer names, templates that compile, files the generator writes, rule ids.
  const problem = manifestProblem(manifest);
  if (problem) fail(problem);
  const m = manifest as Manifest;
  const at = (what: string) => `${PRESET_MANIFEST}: ${what}`;
  const compile = (where: string, source: string): Render => {
    try {
      const render = compileTemplate(source);
      return render;
    } catch (err) {
      return fail(`${where} does not compile: ${(err as Error).message.split('\n').filter(Boolean).slice(0, 2).join(' ')}`);
    }
  };

  // defaults
  const defaults: Preset['defaults'] = {};
  for (const [key, value] of Object.entries(m.defaults ?? {})) {
    const q = QUESTIONS.find((x) => x.key === key);
    if (!q) fail(at(`defaults: unknown answer ${JSON.stringify(key)}; known: ${QUESTIONS.map((x) => x.key).join(', ')}`));
    if (key === 'name') fail(at("defaults: name cannot have a preset default: it is each service's own"));
    defaults[key as AnswerKey] = typeof value === 'string' ? compile(at(`defaults.${key}`), value) : value;
  }

  // locked
  const locked = (m.locked ?? []).map((k) => {
    if (!QUESTIONS.some((q) => q.key === k)) fail(at(`locked: unknown answer ${JSON.stringify(k)}`));
    if (defaults[k as AnswerKey] === undefined) fail(at(`locked: ${k} has no value under defaults to lock it to`));
    return k as AnswerKey;
  });

  // questions
  const questions: PresetQuestion[] = [];
  (m.questions ?? []).forEach((q, i) => {
    const where = at(`questions[${i}]`);
    const key = q.key;
    if (questions.some((x) => x.key === key)) fail(`${where}: key ${key} is asked twice`);
    const type = q.type ?? 'string';
    if (type === 'choice' && !q.choices) fail(`${where} (${key}): choices must be a list of strings`);
    if (type !== 'choice' && q.choices !== undefined) fail(`${where} (${key}): choices only go with type: choice`);
    if (q.pattern !== undefined) {
      if (type !== 'string') fail(`${where} (${key}): pattern must be a regular expression, for type: string`);
      try {
        new RegExp(q.pattern, 'u');
      } catch (err) {
        fail(`${where} (${key}): pattern is not a regular expression: ${(err as Error).message}`);
      }
    }
    if (q.multiline !== undefined && type !== 'string') fail(`${where} (${key}): multiline only goes with type: string`);
    const { choices, pattern } = q;
    const question: PresetQuestion = {
      key,
      message: q.message,
      type,
      ...(choices ? { choices } : {}),
      ...(pattern ? { pattern } : {}),
      ...(q.multiline === true ? { multiline: true } : {}),
    };
    if (q.default !== undefined) {
      const broken = presetAnswerProblem(question, q.default);
      if (broken) fail(`${where} (${key}): default ${showValue(q.default)} ${broken}`);
      question.default = q.default as string | boolean;
    }
    questions.push(question);
  });

  // templates/
  const templates: Preset['templates'] = [];
  const tdir = join(dir, 'templates');
  const ours = new Map(FILES.map((f) => [f.path, f]));
  if (existsSync(tdir)) {
    const files = walk(tdir, (link) =>
      fail(`${toPosix(relative(dir, link))} is a symbolic link: a preset holds no links (they can point anywhere on the machine)`),
    );
    if (files.length > MAX_FILES) fail(`templates/ holds ${files.length} files, more than ${MAX_FILES}`);
    for (const file of files) {
      const rel = toPosix(relative(dir, file));
      const hbs = rel.endsWith('.hbs');
      const path = rel
        .slice('templates/'.length, hbs ? -'.hbs'.length : undefined)
        .split('/')
        .map((seg) => seg.replaceAll('__name__', '<name>').replace(/^dot_/, '.'))
        .join('/');
      const confined = presetPathProblem(path);
      if (confined) fail(`${rel} would write ${path}: ${confined}`);
      if (statSync(file).size > MAX_FILE_BYTES) fail(`${rel} is larger than 1 MiB`);
      const our = ours.get(path);
      // Our chart templates are Go templates: a replacement is one too, copied as it is.
      if (our?.engine === 'chart' && hbs) fail(`${rel} replaces a Helm template, which is copied as it is: name it without .hbs`);
      const source = readFileSync(file, 'utf8');
      templates.push({ file: rel, path, render: hbs ? compile(rel, source) : () => source });
    }
  }

  // patches
  const patches: Patch[] = (m.patches ?? []).map((p, i) => {
    const where = `${PRESET_MANIFEST}: patches[${i}]`;
    const file = p.file;
    if (!ours.has(file) && !templates.some((t) => t.path === file))
      fail(`${where}: ${file} is not a file the generator or this preset writes`);
    const kinds = PATCH_KINDS.filter((k) => p[k] !== undefined);
    if (kinds.length !== 1) fail(`${where} (${file}): give exactly one of append, before, after, replace`);
    const kind = kinds[0]!;
    const allowed = kind === 'append' ? ['file', 'append'] : kind === 'replace' ? ['file', 'replace', 'with'] : ['file', kind, 'insert'];
    unknownKeys(p, allowed, `${where} (${file}, ${kind})`, fail);
    const textKey = kind === 'append' ? 'append' : kind === 'replace' ? 'with' : 'insert';
    if (p[textKey] === undefined) fail(`${where} (${file}): ${textKey} must be text`);
    return {
      file,
      kind,
      ...(kind !== 'append' ? { line: p[kind] as string } : {}),
      text: compile(`${where} (${file})`, p[textKey] as string),
      where: `patches[${i}]`,
    };
  });

  // conventions
  const conventions: Convention[] = [];
  (m.conventions ?? []).forEach((c, i) => {
    const where = at(`conventions[${i}]`);
    const id = c.id;
    if ((RULES as readonly string[]).includes(id)) fail(`${where}: id ${id} is one of check's own rules`);
    if (conventions.some((x) => x.id === id)) fail(`${where}: id ${id} is used twice`);
    if (isAbsolute(c.file) || c.file.split(/[\\/]/).includes('..')) fail(`${where} (${id}): file must name a file of the repo`);
    if ((c.require === undefined) === (c.forbid === undefined)) fail(`${where} (${id}): give one of require, forbid`);
    const regex = (key: 'require' | 'forbid'): RegExp | undefined => {
      if (c[key] === undefined) return undefined;
      try {
        return new RegExp(c[key], 'mu');
      } catch (err) {
        return fail(`${where} (${id}): ${key} is not a regular expression: ${(err as Error).message}`);
      }
    };
    const require = regex('require');
    const forbid = regex('forbid');
    conventions.push({ id, file: c.file, message: c.message, ...(require ? { require } : {}), ...(forbid ? { forbid } : {}) });
  });

  // waivers: the policy for the repos' waivers
  let waivers: WaiverPolicy | undefined;
  if (m.waivers !== undefined) {
    const w = m.waivers;
    const unwaivable = w.unwaivable ?? [];
    const ruleIds = [...RULES, ...conventions.map((c) => c.id)] as string[];
    const unknownRule = unwaivable.find((r) => !ruleIds.includes(r));
    if (unknownRule !== undefined)
      fail(at(`waivers.unwaivable: ${JSON.stringify(unknownRule)} is not a rule of check or of this preset (${ruleIds.join(', ')})`));
    waivers = { ...(w.maxDays !== undefined ? { maxDays: w.maxDays } : {}), unwaivable, require: w.require ?? [] };
  }

  // catalog: where the platform's code host shows a repository
  let sourceLocation: Render | undefined;
  if (m.catalog !== undefined) sourceLocation = compile(at('catalog.sourceLocation'), m.catalog.sourceLocation);

  return {
    name: id.name,
    version: id.version,
    source: folderSource ?? `${id.name}@${id.version}`,
    defaults,
    locked,
    questions,
    templates,
    patches,
    conventions,
    ...(waivers ? { waivers } : {}),
    ...(sourceLocation ? { sourceLocation } : {}),
  };
}

// eslint-disable-next-line no-control-regex
const ONE_LINE_BREAKERS = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/u;
// eslint-disable-next-line no-control-regex
const MULTILINE_BREAKERS = /[\u0000-\u0008\u000b-\u001f\u007f]/u;

/** Why a value is no answer to a preset question, or undefined. */
export function presetAnswerProblem(q: PresetQuestion, value: unknown): string | undefined {
  if (q.type === 'boolean') return typeof value === 'boolean' ? undefined : 'must be true or false';
  if (typeof value !== 'string') return 'must be text';
  // One line unless asked for: a newline in a label or a YAML scalar adds keys where a template inserts it.
  if (!q.multiline && ONE_LINE_BREAKERS.test(value))
    return 'must be one line of text without control characters (the question does not say multiline: true)';
  if (q.multiline && MULTILINE_BREAKERS.test(value)) return 'must be text without control characters other than newlines and tabs';
  if (q.type === 'choice' && !q.choices!.includes(value)) return `must be one of ${q.choices!.join(', ')}`;
  if (q.pattern && !new RegExp(q.pattern, 'u').test(value)) return `must match ${q.pattern}`;
  return undefined;
}

function unknownKeys(o: Record<string, unknown>, known: readonly string[], where: string, fail: (what: string) => never): void {
  const bad = Object.keys(o).find((k) => !known.includes(k));
  if (bad !== undefined) fail(`${where}: unknown key ${JSON.stringify(bad)} (known: ${known.join(', ')})`);
}

/** Files under dir, sorted; a symbolic link anywhere is refused (`link` throws), never followed. */
function walk(dir: string, link: (path: string) => never): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isSymbolicLink()) return link(p);
      return e.isDirectory() ? walk(p, link) : [p];
    });
}

const isLink = (p: string): boolean => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

/** Values for a preset's questions, from --set key=value and an answers file; checked, with defaults when asked for. */
export function resolvePresetAnswers(
  preset: Preset,
  given: Record<string, unknown>,
  opts: { useDefaults: boolean; origin: (key: string) => string },
): { answers: PresetAnswers; missing: PresetQuestion[] } {
  for (const key of Object.keys(given)) {
    if (!preset.questions.some((q) => q.key === key)) {
      const known = preset.questions.map((q) => q.key).join(', ') || 'none';
      throw new PresetError(presetMessage(preset, `${opts.origin(key)}: no question ${JSON.stringify(key)} (its questions: ${known})`));
    }
  }
  const answers: PresetAnswers = {};
  const missing: PresetQuestion[] = [];
  for (const q of preset.questions) {
    let value = given[q.key];
    if (value === undefined || value === null) {
      if (opts.useDefaults && q.default !== undefined) answers[q.key] = q.default;
      else missing.push(q);
      continue;
    }
    if (q.type === 'boolean' && typeof value === 'string')
      value = value === 'true' || value === 'yes' ? true : value === 'false' || value === 'no' ? false : value;
    const broken = presetAnswerProblem(q, value);
    if (broken) throw new PresetError(presetMessage(preset, `${opts.origin(q.key)}: ${showValue(value)} ${broken}`));
    answers[q.key] = value as string | boolean;
  }
  return { answers, missing };
}

/** `--set key=value` flags as a map; a flag without `=` is refused. */
export function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new PresetError(`--set ${s}: write --set key=value (a question of the preset)`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}
