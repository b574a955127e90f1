// The command line: parses flags, dispatches to a command, maps errors to exit codes and
// one-line messages, and undoes writes in progress on Ctrl-C.
import { AnswerError, AnswersFileError, MissingAnswersError } from './answers.js';
import { helpText, parseCommandLine, UsageError } from './cli-args.js';
import { CommandFailed } from './errors.js';
import { createOutput, type Output } from './output.js';
import { GENERATOR_VERSION } from './version.js';
import { TargetNotEmptyError, undoWritesInProgress } from './write.js';

function onInterrupt(): void {
  undoWritesInProgress();
  process.stderr.write('\nInterrupted: nothing was written.\n');
  process.exit(130);
}

export async function main(argv: readonly string[]): Promise<number> {
  process.once('SIGINT', onInterrupt);
  let out: Output = createOutput(argv.includes('--json'));
  try {
    const args = parseCommandLine(argv);
    out = createOutput(args.flags.json);
    if (args.flags.help) {
      process.stdout.write(helpText(GENERATOR_VERSION));
      return 0;
    }
    if (args.flags.version) {
      process.stdout.write(`${GENERATOR_VERSION}\n`);
      return 0;
    }
    switch (args.command) {
      case 'create': {
        const { createCommand } = await import('./create.js');
        return await createCommand(args, out);
      }
      case 'regen': {
        const { regenCommand } = await import('./regen-command.js');
        return await regenCommand(args, out);
      }
      case 'update': {
        const { updateCommand } = await import('./update-command.js');
        return await updateCommand(args, out);
      }
      case 'check': {
        const { checkCommand } = await import('./check-command.js');
        return await checkCommand(args, out);
      }
    }
  } catch (err) {
    return report(err, out);
  }
}

function report(err: unknown, out: Output): number {
  const usage =
    err instanceof UsageError || err instanceof AnswerError || err instanceof AnswersFileError;
  if (usage) {
    out.error((err as Error).message);
    if (out.isJson) out.json({ ok: false, error: (err as Error).message, exitCode: 2 });
    return 2;
  }
  if (err instanceof MissingAnswersError) {
    const msg = `${err.message} (no TTY to ask: pass them as flags, or --yes to take defaults)`;
    out.error(msg);
    if (out.isJson) out.json({ ok: false, error: msg, missing: err.questions.map((q) => `--${q.flag}`), exitCode: 2 });
    return 2;
  }
  if (err instanceof TargetNotEmptyError || err instanceof CommandFailed) {
    const code = err instanceof CommandFailed ? err.exitCode : 1;
    out.error(err.message);
    if (out.isJson) out.json({ ok: false, error: err.message, exitCode: code });
    return code;
  }
  if ((err as Error)?.name === 'ExitPromptError' || (err as Error)?.message === 'cancelled') {
    process.stderr.write('\nCancelled: nothing was written.\n');
    return 130;
  }
  const message = err instanceof Error ? err.message : String(err);
  out.error(`${message}\nThis looks like a bug in create-go-k8s-service ${GENERATOR_VERSION}; please report it with the command you ran.`);
  if (process.env.CGKS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (out.isJson) out.json({ ok: false, error: message, exitCode: 1 });
  return 1;
}
