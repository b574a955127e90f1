// A preset: a platform team's defaults, locked answers, questions, templates, patches and
// conventions, loaded from a folder or an npm package (presets/engines/preset-load.ts). A preset is a
// value: the answers carry the one they were made with (presetOf), so answers, the file table,
// rendering and the record all see the same one, and a fleet check over repos with different
// presets needs no reset.
import { UsageError } from '../../plumbing/errors.js';
import type { AnswerKey, Answers } from '../../model/questions.js';

export const PRESET_MANIFEST = 'go-k8s-service-preset.yaml';

export type Render = (context: object) => string;

export interface PresetQuestion {
  key: string;
  message: string;
  type: 'string' | 'choice' | 'boolean';
  choices?: string[];
  default?: string | boolean;
  pattern?: string;
  /** A string answer may span lines (else one line, no control characters). */
  multiline?: boolean;
}

/** A change to generated text: exactly one of append, before/after + insert, replace + with. */
export interface Patch {
  /** Output path; `<name>` stands for the service name. */
  file: string;
  kind: 'append' | 'before' | 'after' | 'replace';
  /** The literal line to find (before, after, replace). */
  line?: string;
  text: Render;
  /** Where it came from, for messages: "patches[2]". */
  where: string;
}

export interface Convention {
  id: string;
  file: string;
  require?: RegExp;
  forbid?: RegExp;
  message: string;
}

/** What a repo's waivers may do: how long one may last, rules none may touch, fields each must have. */
export interface WaiverPolicy {
  maxDays?: number;
  unwaivable: string[];
  require: ('file' | 'message')[];
}

export interface PresetTemplate {
  /** Path inside the preset, for messages: templates/CODEOWNERS.hbs. */
  file: string;
  /** Output path; `<name>` stands for the service name. */
  path: string;
  render: Render;
}

export interface Preset {
  name: string;
  version: string;
  /** How to find it again: a folder path (relative to the repo root once recorded) or name@version. */
  source: string;
  /** A folder preset's absolute path (create records it relative to the new repo). */
  folder?: string;
  /** Default answers: rendered with the answers before them. */
  defaults: Partial<Record<AnswerKey, Render | number | boolean>>;
  locked: AnswerKey[];
  questions: PresetQuestion[];
  templates: PresetTemplate[];
  patches: Patch[];
  conventions: Convention[];
  waivers?: WaiverPolicy;
  /** catalog.sourceLocation: the repository's URL on the platform's own code host, over the answers. */
  sourceLocation?: Render;
}

export type PresetAnswers = Record<string, string | boolean>;

/** What the record keeps, so regen, update and check load the same preset again. */
export interface PresetRecord {
  name: string;
  version: string;
  source: string;
  answers: PresetAnswers;
}

/** A preset that cannot be used (missing, malformed, a template that fails) or a locked answer given: exit 2. */
export class PresetError extends UsageError {}

/** `preset <name>[ <version>]: <what>`: every preset message names the preset. */
export function presetMessage(p: { name: string; version?: string } | string, what: string): string {
  const who = typeof p === 'string' ? p : `${p.name}${p.version ? ` ${p.version}` : ''}`;
  return `preset ${who}: ${what}`;
}

export interface ActivePreset {
  preset: Preset;
  answers: PresetAnswers;
}

/**
 * The preset a set of answers was made with travels inside the answers value: what is generated
 * is a function of the answers alone. A symbol key, so spreads keep it while JSON, Object.keys
 * and the answer types leave it out.
 */
const PRESET = Symbol('preset');

/** The preset these answers were made with (undefined: none). */
export function presetOf(a: object): ActivePreset | undefined {
  return (a as { [PRESET]?: ActivePreset })[PRESET];
}

/** The answers, carrying this preset (or none). */
export function withPreset<T extends object>(a: T, p: ActivePreset | undefined): T {
  const out = { ...a } as T & { [PRESET]?: ActivePreset };
  if (p) out[PRESET] = p;
  else delete out[PRESET];
  return out;
}

/** The record's entry for a preset. */
export function presetRecord(p: ActivePreset | undefined): PresetRecord | undefined {
  if (!p) return undefined;
  const { name, version, source } = p.preset;
  return { name, version, source, answers: p.answers };
}

/** A preset's default for a question, rendered with the answers before it. */
export function presetDefault(p: ActivePreset | undefined, key: AnswerKey, earlier: Partial<Answers>): unknown {
  const d = p?.preset.defaults[key];
  if (d === undefined) return undefined;
  if (typeof d !== 'function') return d;
  try {
    return d(earlier);
  } catch (err) {
    throw new PresetError(presetMessage(p!.preset, `defaults.${key}: ${(err as Error).message.split('\n')[0]}`));
  }
}

// HFS+ ignores these code points in names, so `.g\u200cit` is `.git` there (git's own list).
const IGNORABLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]/gu;
const RESERVED_FILE = '.go-k8s-service.json';
const RESERVED_DIR = '.go-k8s-service';

/**
 * Why a preset may not write to `path` (an output path, `/`-separated), or undefined.
 * Git runs what it finds in .git (hooks, core.fsmonitor, aliases), so any spelling that a file
 * system resolves to .git is refused: case, trailing dots and spaces (Windows), NTFS short
 * names and streams, HFS+'s ignorable characters, at any depth.
 */
export function presetPathProblem(path: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'a control character in its name';
  if (path.includes('\\')) return 'a backslash in its name (a folder separator on Windows)';
  const segments = path.split('/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || segments.some((s) => s === '..' || s === '.' || s === '')) {
    return 'a preset cannot write outside the repo';
  }
  const bare = segments.map((s) =>
    s
      .replace(IGNORABLE, '')
      .replace(/:.*$/, '')
      .replace(/[. ]+$/, '')
      .toLowerCase(),
  );
  if (bare.some((s) => s === '.git' || /^git~\d+$/.test(s))) return 'a preset cannot write into .git (git runs what it finds there)';
  if (bare.some((s) => s === '.gitmodules' || /^gitmod~\d+$/.test(s)))
    return 'a preset cannot write .gitmodules (git fetches what it names)';
  if (bare[0] === RESERVED_FILE || bare[0] === RESERVED_DIR) return 'the generator reserves it';
  return undefined;
}

/** Output path → the file name in the repo for a service name. */
export const presetPath = (path: string, name: string): string => path.replaceAll('<name>', name);
