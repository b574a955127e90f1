// Interactive questions, built from the registry. inquirer is imported only here and only
// when prompting, so non-interactive runs never pay for loading it.
import { coerce, validateOne, AnswerError } from './answers.js';
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from './questions.js';

export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

function check(q: Question, input: unknown): true | string {
  try {
    validateOne(q, coerce(q, input));
    return true;
  } catch (err) {
    if (err instanceof AnswerError) return `${q.message}: ${err.rule}`;
    throw err;
  }
}

/** Asks every applicable question that `given` does not answer; returns all answers. */
export async function askQuestions(
  given: Partial<Record<AnswerKey, unknown>>,
  env: Environment,
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const answers: Partial<Record<AnswerKey, unknown>> = { ...given };
  for (const q of QUESTIONS) {
    if (answers[q.key] !== undefined) continue;
    if (q.when && !q.when(answers as Partial<Answers>)) continue;
    const def = q.default?.(answers as Partial<Answers>, env);
    const base = { name: 'v', message: q.message, default: def };
    let question: Record<string, unknown>;
    switch (q.type) {
      case 'boolean':
        question = { ...base, type: 'confirm' };
        break;
      case 'choice':
        question = { ...base, type: 'list', choices: q.choices.map((c) => ({ name: c.label, value: c.value })) };
        break;
      default:
        // Numbers are typed as text so a wrong entry is shown back as typed, not as NaN.
        question = {
          ...base,
          type: 'input',
          default: def === undefined ? undefined : String(def),
          validate: (input: string) => check(q, input),
        };
    }
    const result = (await prompt([question as never])) as { v: unknown };
    answers[q.key] = coerce(q, result.v);
  }
  return answers;
}

/** Shows what will be written and asks to go ahead. */
export async function confirmSummary(answers: Answers, directory: string, fileCount: number): Promise<boolean> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const width = Math.max(...QUESTIONS.map((q) => q.flag.length));
  const lines = QUESTIONS.filter((q) => answers[q.key] !== undefined).map(
    (q) => `  ${q.flag.padEnd(width)}  ${String(answers[q.key])}`,
  );
  process.stderr.write(`\nAbout to write ${fileCount} files into ${directory}:\n${lines.join('\n')}\n\n`);
  const { ok } = (await prompt([{ type: 'confirm', name: 'ok', message: 'Write the project?', default: true } as never])) as {
    ok: boolean;
  };
  return ok;
}
