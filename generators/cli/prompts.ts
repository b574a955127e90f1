// Interactive questions, built from the registry. inquirer is imported only here and only
// when prompting, so non-interactive runs never pay for loading it.
import { PassThrough } from 'node:stream';
import { coerce, validateOne, AnswerError } from '../model/answers.js';
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from '../model/questions.js';
import { stderr } from '../plumbing/output.js';
import { presetDefault, presetOf, type ActivePreset, type PresetAnswers, type PresetQuestion } from '../presets/model/preset.js';

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

/** Line breaks with the blanks around them, as a paste carries them. */
const PASTED_BREAKS = /[ \t]*(?:\r\n|\r|\n)+[ \t]*/g;

/**
 * stdin, handed to one prompt at a time, one line at a time. Each inquirer prompt reads
 * through its own readline, which takes every line it is given and answers with the first:
 * lines typed ahead (while the previous answer was being handled) would be lost. The gate
 * holds them for the prompts that follow, and gives a prompt that refused a line the next.
 * Pasted lines (a terminal sends a paste's line breaks as \r in one chunk, while keys come
 * one by one) are joined with spaces and left on the prompt's line, unsubmitted: the user
 * sees the one line that will be taken, where Enter would have kept only the first.
 */
class LineGate {
  private queue = '';
  private target: PassThrough | undefined;
  private readonly stdin = process.stdin;
  private readonly onData = (chunk: string) => {
    // In raw mode Enter is \r; lines typed while the terminal was not raw (between prompts)
    // end in \n. So text after a \r in one chunk came from a paste.
    const body = chunk.replace(/[\r\n]+$/, '');
    if (body.includes('\r')) chunk = body.replace(PASTED_BREAKS, ' ');
    this.queue += chunk;
    this.flush();
  };

  constructor() {
    this.stdin.setEncoding('utf8');
    this.stdin.on('data', this.onData);
    this.stdin.resume();
  }

  /** An input stream for one prompt's readline; it gets data once released. */
  stream(): PassThrough {
    const stdin = this.stdin;
    return Object.assign(new PassThrough({ encoding: 'utf8' }), {
      isTTY: true,
      setRawMode: (mode: boolean) => (stdin.isTTY ? stdin.setRawMode(mode) : stdin),
    });
  }

  /** The prompt reading from `stream` listens now: give it the next line held, if any. */
  release(stream: PassThrough): void {
    this.target = stream;
    this.flush();
  }

  /** The prompt is over: hold what comes next for the next one. */
  detach(stream: PassThrough): void {
    if (this.target === stream) this.target = undefined;
  }

  private flush(): void {
    const target = this.target;
    if (!target) {
      // Between prompts the terminal is not raw and Ctrl-C is a signal; a ^C that came in
      // the same chunk as an Enter must not wait for a prompt that may never come.
      if (this.queue.includes('\u0003')) {
        this.queue = '';
        process.kill(process.pid, 'SIGINT');
      }
      return;
    }
    if (!this.queue) return;
    const end = this.queue.search(/[\r\n]/);
    let take = end < 0 ? this.queue.length : end + 1;
    if (end >= 0 && this.queue.startsWith('\r\n', end)) take++;
    const part = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    // A line break answers the prompt: what follows waits for the next one.
    if (end >= 0) this.target = undefined;
    target.write(part);
  }

  stop(): void {
    this.stdin.off('data', this.onData);
    this.stdin.pause();
    this.target = undefined;
  }
}

let gate: LineGate | undefined;

/** Gives stdin back once no more questions will be asked (else it keeps the process alive). */
export function endPrompts(): void {
  gate?.stop();
  gate = undefined;
}

type PromptModule = (questions: unknown[]) => Promise<Record<string, unknown>> & {
  ui: { rl: NodeJS.EventEmitter };
};

/**
 * One prompt. Two ways it can end without an answer:
 * - Ctrl-C: inquirer closes the prompt and sends SIGINT to this process, leaving its promise
 *   pending. With nothing else to wait for, Node would exit 0 before that signal is handled;
 *   a timer keeps the process up until cli.ts's SIGINT handler exits 130.
 * - End of input (Ctrl-D): readline closes; that is a PromptCancelled.
 */
async function ask(question: Record<string, unknown>): Promise<unknown> {
  const { default: inquirer } = await import('inquirer');
  gate ??= new LineGate();
  const g = gate;
  const input = g.stream();
  const prompt = inquirer.createPromptModule({ input: input as never, output: stderr() }) as unknown as PromptModule;
  const keepAlive = setInterval(() => {}, 60_000);
  // A refused line leaves the prompt waiting: it, not the next prompt, gets the next line.
  const validate = question.validate as ((...a: unknown[]) => unknown) | undefined;
  if (validate) {
    question = {
      ...question,
      validate: (...a: unknown[]) => {
        const ok = validate(...a);
        if (ok !== true) setImmediate(() => g.release(input));
        return ok;
      },
    };
  }
  try {
    const pending = prompt([question]);
    // inquirer starts listening a few promise turns later: held lines go to it after that.
    setImmediate(() => g.release(input));
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
    const answers = await Promise.race([
      pending.then((a) => {
        answered = true;
        return a;
      }),
      cancelled,
    ]);
    return answers[String(question.name)];
  } finally {
    g.detach(input);
    clearInterval(keepAlive);
  }
}

/** A choice from a list (arrow keys), through the same gate as every other prompt. */
export async function choose<T extends string>(message: string, choices: readonly { name: string; value: T }[]): Promise<T> {
  return (await ask({ type: 'list', name: 'choice', loop: false, message, choices })) as T;
}

/**
 * A question answered by a word: only the words listed (any case) or Enter for the default;
 * anything else is asked again. (inquirer's confirm takes any key as the default.)
 */
function wordQuestion<T>(message: string, hint: string, words: Record<string, T>, def: T, rule: string): Record<string, unknown> {
  const meaning = (input: string): T | undefined => {
    const w = input.trim().toLowerCase();
    return w === '' ? def : Object.hasOwn(words, w) ? words[w] : undefined;
  };
  return {
    type: 'input',
    name: 'v',
    message: `${message} (${hint})`,
    // The answer itself is found in validate/transformer: a filter's value is what a wrong
    // answer leaves on the line to be corrected.
    validate: (input: string) => (meaning(input) === undefined ? rule : true),
    transformer: (input: string, _a: unknown, { isFinal }: { isFinal: boolean }) => (isFinal ? shownWord(meaning(input)) : input),
    meaning,
  };
}

const shownWord = (v: unknown): string => (v === true ? 'Yes' : v === false ? 'No' : String(v));

async function askWord<T>(question: Record<string, unknown>): Promise<T> {
  const typed = String((await ask(question)) ?? '');
  return (question.meaning as (s: string) => T)(typed);
}

const YES_NO = { y: true, yes: true, n: false, no: false } as const;

function yesNo(message: string, def: boolean): Record<string, unknown> {
  return wordQuestion(message, def ? 'Y/n' : 'y/N', YES_NO, def, `answer y or n (Enter: ${def ? 'yes' : 'no'})`);
}

/** One question, with `def` shown and taken on Enter; a wrong value is asked again with its rule. */
async function askOne(q: Question, def: unknown, extra?: (value: unknown) => string | undefined): Promise<unknown> {
  const base = { name: 'v', message: q.message, default: def };
  switch (q.type) {
    case 'boolean':
      return askWord<boolean>(yesNo(q.message, def === undefined ? false : Boolean(def)));
    case 'choice':
      return ask({
        ...base,
        type: 'list',
        loop: false,
        choices: q.choices.map((c) => ({ name: c.label, value: c.value, short: c.value })),
      });
    default:
      // Numbers are typed as text so a wrong entry is shown back as typed, not as NaN.
      // Spaces around what was typed are dropped: they are never meant (a pasted name).
      return coerce(
        q,
        await ask({
          ...base,
          type: 'input',
          default: def === undefined ? undefined : String(def),
          filter: (input: string) => input.trim(),
          validate: (input: string) => check(q, input, extra),
        }),
      );
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
  preset?: ActivePreset,
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const answers: Partial<Record<AnswerKey, unknown>> = { ...given };
  for (const q of QUESTIONS) {
    if (answers[q.key] !== undefined) continue;
    if (q.when && !q.when(answers as Partial<Answers>)) continue;
    // A preset's locked answer is not the team's to choose.
    if (preset?.preset.locked.includes(q.key)) continue;
    answers[q.key] = await askOne(
      q,
      presetDefault(preset, q.key, answers as Partial<Answers>) ?? q.default?.(answers as Partial<Answers>, env),
      extra[q.key],
    );
  }
  return answers;
}

function shown(q: Question, value: unknown): string {
  if (q.type === 'boolean') return value ? 'yes' : 'no';
  if (q.type === 'choice') return q.choices.find((c) => c.value === value)?.label ?? String(value);
  if (typeof value === 'string' && (value === '' || value.trim() !== value)) return JSON.stringify(value);
  return String(value);
}

const summaryWidth = () => Math.max(...QUESTIONS.map((q) => q.flag.length));

/** The summary shown before writing: every answer, the target and how many files. */
export function summaryText(answers: Answers, directory: string, fileCount: number, replacing = false): string {
  const lines = QUESTIONS.filter((q) => answers[q.key] !== undefined).map(
    (q) => `  ${q.flag.padEnd(summaryWidth())}  ${shown(q, answers[q.key])}`,
  );
  const where = replacing ? `${directory}, replacing files with the same names (--force)` : directory;
  return `\nAbout to write ${fileCount} files into ${where}:\n${lines.join('\n')}\n\n`;
}

export type SummaryChoice = 'write' | 'edit' | 'cancel';

/** Shows what will be written and asks to go ahead, to edit an answer, or to stop. */
export async function confirmSummary(answers: Answers, directory: string, fileCount: number, replacing = false): Promise<SummaryChoice> {
  stderr().write(summaryText(answers, directory, fileCount, replacing));
  const words: Record<string, SummaryChoice> = { y: 'write', yes: 'write', n: 'cancel', no: 'cancel', e: 'edit', edit: 'edit' };
  return askWord<SummaryChoice>(
    wordQuestion(
      'Write the project?',
      'Y/n, e to edit an answer',
      words,
      'write',
      'answer y to write, n to stop, or e to edit an answer (Enter: yes)',
    ),
  );
}

/**
 * "Edit an answer" at the summary: choose one, answer it again (its current value is the
 * default), then any question that applies only now (e.g. signing once there is a CI file).
 */
export async function editAnswer(
  answers: Answers,
  env: Environment,
  extra: ExtraChecks = {},
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const preset = presetOf(answers);
  const locked = preset?.preset.locked ?? [];
  const applicable = QUESTIONS.filter((q) => answers[q.key] !== undefined && !locked.includes(q.key));
  const key = (await ask({
    type: 'list',
    name: 'v',
    loop: false,
    message: 'Which answer?',
    pageSize: applicable.length,
    choices: applicable.map((q) => ({
      name: `${q.flag.padEnd(summaryWidth())}  ${shown(q, answers[q.key])}`,
      value: q.key,
      short: q.flag,
    })),
  })) as AnswerKey;
  const q = QUESTIONS.find((x) => x.key === key)!;
  const edited: Partial<Record<AnswerKey, unknown>> = { ...answers, [key]: await askOne(q, answers[key], extra[key]) };
  // An answer that was its default (derived from the ones before it: the module from the name)
  // is derived again from the edited answers; an answer the user gave stays. Answers to
  // questions that no longer apply go; questions that apply only now are asked.
  const defaultOf = (x: (typeof QUESTIONS)[number], earlier: Partial<Answers>) =>
    presetDefault(preset, x.key, earlier) ?? x.default?.(earlier, env);
  const wasDefault = (x: (typeof QUESTIONS)[number]) => {
    const d = defaultOf(x, answers);
    return x.key !== key && d !== undefined && String(d) === String(answers[x.key]);
  };
  const kept: Partial<Record<AnswerKey, unknown>> = {};
  for (const x of QUESTIONS) {
    if (x.when && !x.when(kept as Partial<Answers>)) continue;
    const again = wasDefault(x) ? defaultOf(x, kept as Partial<Answers>) : undefined;
    if (again !== undefined) kept[x.key] = again;
    else if (edited[x.key] !== undefined) kept[x.key] = edited[x.key];
  }
  return askQuestions(kept, env, extra, preset);
}

/** Asks a preset's questions that have no answer yet, each with its default and rule. */
export async function askPresetQuestions(
  questions: readonly PresetQuestion[],
  problem: (q: PresetQuestion, value: unknown) => string | undefined,
): Promise<PresetAnswers> {
  const out: PresetAnswers = {};
  for (const q of questions) {
    if (q.type === 'boolean') out[q.key] = await askWord<boolean>(yesNo(q.message, q.default === true));
    else if (q.type === 'choice')
      out[q.key] = (await ask({
        name: 'v',
        type: 'list',
        loop: false,
        message: q.message,
        default: q.default,
        choices: q.choices,
      })) as string;
    else {
      out[q.key] = (await ask({
        name: 'v',
        type: 'input',
        message: q.message,
        default: q.default,
        filter: (input: string) => input.trim(),
        validate: (input: string) => problem(q, input) ?? true,
      })) as string;
    }
  }
  return out;
}
