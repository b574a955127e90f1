// Interactive questions, built from the registry. inquirer is imported only here and only
// when prompting, so non-interactive runs never pay for loading it.
import { coerce, validateOne, AnswerError } from './answers.js';
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from './questions.js';
import { stderr } from './output.js';

/** The terminal's input ended (Ctrl-D) before a question was answered. */
export class PromptCancelled extends Error {
  override name = 'PromptCancelled';
  constructor() {
    super('cancelled');
  }
}

/** Extra checks at the prompt, beyond the question's rule (e.g. "that directory is taken"). */
export type ExtraChecks = Partial<Record<AnswerKey, (value: unknown) => string | undefined>>;

function check(q: Question, input: unknown, extra?: (value: unknown) => string | undefined): true | string {
  try {
    const value = coerce(q, input);
    validateOne(q, value);
    // The rule alone: inquirer shows it right under the question and the value typed.
    return extra?.(value) ?? true;
  } catch (err) {
    if (err instanceof AnswerError) return err.rule;
    throw err;
  }
}

type PromptModule = (questions: unknown[]) => Promise<Record<string, unknown>> & {
  ui: { rl: NodeJS.EventEmitter };
};

async function promptModule(): Promise<PromptModule> {
  const { default: inquirer } = await import('inquirer');
  return inquirer.createPromptModule({ output: stderr() }) as unknown as PromptModule;
}

/**
 * One prompt. Two ways it can end without an answer:
 * - Ctrl-C: inquirer closes the prompt and sends SIGINT to this process, leaving its promise
 *   pending. With nothing else to wait for, Node would exit 0 before that signal is handled;
 *   a timer keeps the process up until cli.ts's SIGINT handler exits 130.
 * - End of input (Ctrl-D): readline closes; that is a PromptCancelled.
 */
async function ask(prompt: PromptModule, question: Record<string, unknown>): Promise<unknown> {
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    const pending = prompt([question]);
    let interrupted = false;
    let answered = false;
    const rl = pending.ui.rl;
    rl.on('SIGINT', () => (interrupted = true));
    const cancelled = new Promise<never>((_, reject) => {
      rl.on('close', () => {
        // inquirer closes readline before it resolves an answer, and before our SIGINT listener
        // runs: decide once both have had their turn.
        setImmediate(() => {
          if (!answered && !interrupted) reject(new PromptCancelled());
        });
      });
    });
    cancelled.catch(() => {});
    const answers = await Promise.race([pending.then((a) => ((answered = true), a)), cancelled]);
    return answers[String(question.name)];
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * Asks every applicable question that `given` does not answer, in registry order, showing
 * each default; returns all answers. A wrong value is asked again, with the rule it broke.
 */
export async function askQuestions(
  given: Partial<Record<AnswerKey, unknown>>,
  env: Environment,
  extra: ExtraChecks = {},
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const prompt = await promptModule();
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
        question = { ...base, type: 'list', loop: false, choices: q.choices.map((c) => ({ name: c.label, value: c.value, short: c.value })) };
        break;
      default:
        // Numbers are typed as text so a wrong entry is shown back as typed, not as NaN.
        // Spaces around what was typed are dropped: they are never meant (a pasted name).
        question = {
          ...base,
          type: 'input',
          default: def === undefined ? undefined : String(def),
          filter: (input: string) => input.trim(),
          validate: (input: string) => check(q, input, extra[q.key]),
        };
    }
    answers[q.key] = coerce(q, await ask(prompt, question));
  }
  return answers;
}

function shown(q: Question, value: unknown): string {
  if (q.type === 'boolean') return value ? 'yes' : 'no';
  if (q.type === 'choice') return q.choices.find((c) => c.value === value)?.label ?? String(value);
  if (typeof value === 'string' && (value === '' || value.trim() !== value)) return JSON.stringify(value);
  return String(value);
}

/** The summary shown before writing: every answer, the target and how many files. */
export function summaryText(answers: Answers, directory: string, fileCount: number, replacing = false): string {
  const width = Math.max(...QUESTIONS.map((q) => q.flag.length));
  const lines = QUESTIONS.filter((q) => answers[q.key] !== undefined).map(
    (q) => `  ${q.flag.padEnd(width)}  ${shown(q, answers[q.key])}`,
  );
  const where = replacing ? `${directory}, replacing files with the same names (--force)` : directory;
  return `\nAbout to write ${fileCount} files into ${where}:\n${lines.join('\n')}\n\n`;
}

/** Shows what will be written and asks to go ahead. */
export async function confirmSummary(answers: Answers, directory: string, fileCount: number, replacing = false): Promise<boolean> {
  const prompt = await promptModule();
  stderr().write(summaryText(answers, directory, fileCount, replacing));
  return Boolean(await ask(prompt, { type: 'confirm', name: 'ok', message: 'Write the project?', default: true }));
}
