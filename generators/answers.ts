// Turns partial input (flags, an answers file, prompts) into one validated Answers object.
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from './questions.js';

/** A bad value: names the field (as its flag) and the rule it broke. */
export class AnswerError extends Error {
  constructor(readonly question: Question, readonly value: unknown, readonly rule: string) {
    super(`--${question.flag}: ${JSON.stringify(value)} ${rule}`);
  }
}

/** Values that are missing and have no default. */
export class MissingAnswersError extends Error {
  constructor(readonly questions: Question[]) {
    super(`missing ${questions.map((q) => `--${q.flag}`).join(', ')}`);
  }
}

/** Parses a raw value (a flag's string, or a JSON/YAML value) into the question's type. */
export function coerce(q: Question, raw: unknown): unknown {
  switch (q.type) {
    case 'number': {
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && /^[0-9]+$/.test(raw.trim())) return Number(raw.trim());
      throw new AnswerError(q, raw, 'must be a whole number');
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'yes') return true;
      if (raw === 'false' || raw === 'no') return false;
      throw new AnswerError(q, raw, 'must be true or false');
    }
    default:
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
}

/**
 * Fills defaults in question order (a default may depend on earlier answers), validates
 * every value, and drops answers to questions that do not apply.
 */
export function resolveAnswers(given: Partial<Record<AnswerKey, unknown>>, opts: ResolveOptions): Answers {
  const out: Partial<Record<AnswerKey, unknown>> = {};
  const missing: Question[] = [];
  for (const q of QUESTIONS) {
    if (q.when && !q.when(out as Partial<Answers>)) continue;
    let value = given[q.key];
    if (value === undefined) {
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
  return out as unknown as Answers;
}
