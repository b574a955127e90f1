// What `create --preset` adds to create.ts: load the preset, keep locked answers out of the
// team's hands, answer the preset's own questions, and give the answers the preset to carry.
import { coerce, showValue } from '../../model/answers.js';
import { UsageError } from '../../cli/cli-args.js';
import { folderSource, loadPreset, parseSets, presetAnswerProblem, resolvePresetAnswers } from '../engines/preset-load.js';
import { presetMessage, PresetError, type ActivePreset, type Preset, type PresetAnswers } from '../model/preset.js';
import { QUESTIONS, type AnswerKey, type Answers } from '../../model/questions.js';

export interface PresetInput {
  preset: Preset;
  /** Answers to the preset's questions from the answers file (filled by loadAnswersFile). */
  fromFile: Record<string, unknown>;
  /** Answers from --set. */
  fromSet: Record<string, string>;
}

/** Loads --preset (none: no preset). */
export function startPreset(spec: string | undefined, sets: readonly string[]): PresetInput | undefined {
  if (spec === undefined) {
    if (sets.length > 0) throw new UsageError('--set answers a question of a preset: pass --preset too');
    return undefined;
  }
  const preset = loadPreset(spec, { cwd: process.cwd() });
  return { preset, fromFile: {}, fromSet: parseSets(sets) };
}

/** Locked answers given (flag or file), taken out of `given`: refuseLocked compares them with the preset's. */
export function takeLocked(
  preset: Preset,
  given: Partial<Record<AnswerKey, unknown>>,
  origin: (k: AnswerKey) => string,
): Map<AnswerKey, { value: unknown; origin: string }> {
  const taken = new Map<AnswerKey, { value: unknown; origin: string }>();
  for (const key of preset.locked) {
    if (given[key] === undefined) continue;
    taken.set(key, { value: given[key], origin: origin(key) });
    delete given[key];
  }
  return taken;
}

/** A locked answer given with another value than the preset's: one line naming the flag and the preset. */
export function refuseLocked(preset: Preset, taken: Map<AnswerKey, { value: unknown; origin: string }>, answers: Answers): void {
  for (const [key, { value, origin }] of taken) {
    const q = QUESTIONS.find((x) => x.key === key)!;
    let v: unknown = value;
    try {
      v = coerce(q, value);
    } catch {
      // A value of the wrong type differs from the locked one all the same.
    }
    if (v !== answers[key]) {
      throw new PresetError(
        presetMessage(preset, `${origin} ${showValue(value)}: ${key} is locked to ${showValue(answers[key])} by this preset; leave it out`),
      );
    }
  }
}

/** The preset's answers: --set over the answers file, then defaults (--yes or a terminal), else asked or missing. */
export async function presetAnswers(
  input: PresetInput,
  opts: { interactive: boolean; yes: boolean; answersFile?: string },
): Promise<PresetAnswers> {
  const given = { ...input.fromFile, ...input.fromSet };
  const origin = (k: string) => (k in input.fromSet ? `--set ${k}` : `${k} in ${opts.answersFile}`);
  const { answers, missing } = resolvePresetAnswers(input.preset, given, { useDefaults: opts.yes, origin });
  if (missing.length > 0 && opts.interactive) {
    const { askPresetQuestions } = await import('../../cli/prompts.js');
    Object.assign(answers, await askPresetQuestions(missing, presetAnswerProblem));
  } else if (missing.length > 0) {
    throw new PresetError(
      presetMessage(
        input.preset,
        `missing ${missing.map((q) => `--set ${q.key}=<${q.type === 'choice' ? q.choices!.join('|') : q.type === 'boolean' ? 'true|false' : 'value'}>`).join(', ')} (${missing.map((q) => q.message).join('; ')})`,
      ),
    );
  }
  // Back in the preset's question order.
  return Object.fromEntries(input.preset.questions.filter((q) => q.key in answers).map((q) => [q.key, answers[q.key]!]));
}

/** The preset with its answers, recorded relative to the new repo. */
export function withAnswers(input: PresetInput, answers: PresetAnswers, directory: string): ActivePreset {
  const { preset } = input;
  const source = preset.folder ? folderSource(preset.folder, directory) : preset.source;
  return { preset: { ...preset, source }, answers };
}
