// Turns partial input (flags, an answers file, prompts) into one validated Answers object.
import { presetDefault, presetMessage, presetOf, PresetError, withPreset, type ActivePreset } from '../presets/model/preset.js';
import { UsageError } from '../plumbing/errors.js';
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from './questions.js';
import { quote } from './validate.js';
import { AnswersFileError, parseAnswersFile } from './answers-file.js';

const MAX_SHOWN = 60;

/** A value as error messages show it: see quote() in validate.ts; other types as JSON, cut short. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json;
}

/** How a question is named in messages: its flag. */
export const flagName = (q: Question): string => (q.type === 'boolean' ? `--[no-]${q.flag}` : `--${q.flag}`);

/** A bad value: names the field (as its flag) and the rule it broke. */
export class AnswerError extends UsageError {
  constructor(
    readonly question: Question,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`--${question.flag}: ${showValue(value)} ${rule}`);
  }
}

/** Values that are missing and have no default. */
export class MissingAnswersError extends UsageError {
  /** The directory argument, for the hint that shows how to pass --yes through npm create. */
  directory?: string;
  /** --yes was given: only answers without a default can be missing. */
  withYes?: boolean;
  constructor(readonly questions: Question[]) {
    super(`missing ${questions.map(flagName).join(', ')}`);
  }
}

/** Parses a raw value (a flag's string, or a JSON/YAML value) into the question's type. */
export function coerce(q: Question, raw: unknown): unknown {
  switch (q.type) {
    case 'number': {
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && /^[0-9]+$/.test(raw.trim())) return Number(raw.trim());
      // Not a number at all ("-1", "8080.5", "eighty"): the question's own rule says what is wanted.
      if (typeof raw === 'string') {
        const rule = (q.rule as (v: unknown) => string | undefined)(Number.NaN);
        if (rule) throw new AnswerError(q, raw, rule);
      }
      throw new AnswerError(q, raw, 'must be a whole number');
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      // YAML 1.1's words for booleans, lowercase (YAML 1.2 reads them as text).
      if (raw === 'true' || raw === 'yes' || raw === 'on') return true;
      if (raw === 'false' || raw === 'no' || raw === 'off') return false;
      throw new AnswerError(q, raw, 'must be true or false (or yes/no, on/off)');
    }
    default:
      // YAML reads `go-version: 1.30` as the number 1.3: say how to keep it text.
      if (typeof raw === 'number') throw new AnswerError(q, raw, 'must be a string (quote it in an answers file)');
      if (typeof raw !== 'string') throw new AnswerError(q, raw, 'must be a string');
      return raw;
  }
}

export function validateOne(q: Question, value: unknown): void {
  const broken = (q.rule as (v: unknown) => string | undefined)(value);
  if (broken) throw new AnswerError(q, value, broken);
}

export interface ResolveOptions {
  /** Take defaults for everything not given; otherwise a missing value is an error. */
  useDefaults: boolean;
  env: Environment;
  /** The preset the answers are made with (its defaults apply); else the one `given` carries. */
  preset?: ActivePreset;
}

/**
 * Fills defaults in question order (a default may depend on earlier answers), validates
 * every value, and drops answers to questions that do not apply.
 */
export function resolveAnswers(given: Partial<Record<AnswerKey, unknown>>, opts: ResolveOptions): Answers {
  const preset = opts.preset ?? presetOf(given);
  const out: Partial<Record<AnswerKey, unknown>> = {};
  const missing: Question[] = [];
  for (const q of QUESTIONS) {
    if (q.when && !q.when(out as Partial<Answers>)) continue;
    let value = given[q.key];
    const fromPreset = value === undefined && opts.useDefaults;
    if (fromPreset) value = presetDefault(preset, q.key, out as Partial<Answers>);
    if (fromPreset && value !== undefined) {
      // A preset's default that breaks our rule is the preset's mistake, not a flag's.
      try {
        value = coerce(q, value);
        validateOne(q, value);
      } catch (err) {
        if (!(err instanceof AnswerError)) throw err;
        throw new PresetError(presetMessage(preset!.preset, `defaults.${q.key}: ${showValue(value)} ${err.rule}`));
      }
    } else if (value === undefined) {
      if (opts.useDefaults && q.default) value = q.default(out as Partial<Answers>, opts.env);
      else {
        missing.push(q);
        continue;
      }
    } else {
      value = coerce(q, value);
    }
    validateOne(q, value);
    out[q.key] = value;
  }
  if (missing.length > 0) throw new MissingAnswersError(missing);
  return withPreset(out as unknown as Answers, preset);
}

export { AnswersFileError };

/**
 * Reads answers from JSON or YAML. Keys may be answer names (goVersion) or flag names
 * (go-version); a generated repo's record file works too (its `answers` are used). Keys
 * starting with x- are left for the file's own use (a YAML anchor to merge with `<<`).
 */
export async function loadAnswersFile(
  path: string,
  /** Answers to a preset's questions: these keys are taken into `into` (a record's preset answers too). */
  preset?: { keys: readonly string[]; into: Record<string, unknown> },
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AnswersFileError(`--answers: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // YAML is a superset of JSON: only a .json file is held to JSON.
  let data = await parseAnswersFile(bytes, path, /\.json$/i.test(path));
  if (data && typeof data === 'object' && 'answers' in data && 'generator' in data) {
    const recorded = (data as { preset?: { answers?: Record<string, unknown> } }).preset?.answers;
    if (preset && recorded && typeof recorded === 'object') Object.assign(preset.into, recorded);
    data = (data as { answers: unknown }).answers;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new AnswersFileError(`--answers: ${path} must hold an object of answers, like {"name": "orders", "port": 8080}`);
  }
  const out: Partial<Record<AnswerKey, unknown>> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith('x-')) continue;
    const q = QUESTIONS.find((q) => q.key === k || q.flag === k);
    if (!q && preset?.keys.includes(k)) {
      if (v !== null) preset.into[k] = v;
      continue;
    }
    if (!q) {
      throw new AnswersFileError(
        `--answers: unknown key ${showValue(k)} in ${path}; known keys: ${[...QUESTIONS.map((q) => q.key), ...(preset?.keys ?? [])].join(', ')}`,
      );
    }
    if (out[q.key] !== undefined) throw new AnswersFileError(`--answers: ${q.key} is given twice in ${path}`);
    // `port:` with nothing after it (YAML null) leaves the answer open, like a missing key.
    if (v !== null) out[q.key] = v;
  }
  return out;
}
