// The command line: parses flags, dispatches to a command, maps errors to exit codes and
// one-line messages, and undoes writes in progress on Ctrl-C.
import { constants as osConstants } from 'node:os';
import { MissingAnswersError, flagName } from '../model/answers.js';
import { helpText, parseCommandLine, UsageError } from './cli-args.js';
import { CommandFailed } from '../plumbing/errors.js';
import { createOutput, shellWord, stderr, stdout, type Output } from '../plumbing/output.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { undoWritesInProgress } from '../plumbing/write.js';

let out: Output | undefined;
let interrupted = false;

/**
 * Ctrl-C (a SIGINT from the terminal, from `kill`, or the one inquirer sends itself when
 * Ctrl-C is pressed at a prompt), and SIGTERM or SIGHUP (a CI timeout, a closed terminal):
 * undo writes in progress, say what is on disk, exit 128 + the signal's number (130 for
 * Ctrl-C). The handlers stay installed for the whole run: inquirer's exit hook sends one
 * more SIGINT while we exit, which must not turn exit code 130 into death by signal.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  const undone = undoWritesInProgress();
  const note = undone ? 'the files written so far were removed again' : (out?.interruptNote ?? 'stopped');
  const code = 128 + (osConstants.signals[signal] ?? 2);
  // A prompt or spinner may have hidden the cursor.
  if (stderr().isTTY) stderr().write('\u001b[?25h');
  stderr().write(`\n${signal === 'SIGINT' ? 'Interrupted' : `Stopped by ${signal}`}: ${note}.\n`);
  if (out?.isJson) out.json({ ok: false, interrupted: true, error: `${signal}: ${note}`, exitCode: code });
  process.exit(code);
}

export async function main(argv: readonly string[]): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  return run(argv, (json, stdoutTaken) => (out = createOutput(json, stdoutTaken)));
}

/**
 * Parses, dispatches and maps errors to exit codes, with output made by `output` (tests
 * drive commands in-process through this, with output they capture).
 */
export async function run(argv: readonly string[], output: (json: boolean, stdoutTaken?: boolean) => Output): Promise<number> {
  let o = output(argv.includes('--json'));
  try {
    const args = parseCommandLine(argv);
    // A document on stdout (JSON, `check --sarif -`, `update --summary -`) sends human text to stderr.
    o = output(args.flags.json, args.flags.json || args.flags.sarif === '-' || args.flags.summary === '-');
    if (args.flags.help) {
      // check lists its rules from its table (loaded only for this help).
      const sections = args.command === 'check' ? (await import('./check-command.js')).checkHelpSections() : [];
      stdout().write(helpText(GENERATOR_VERSION, args.command, sections));
      return 0;
    }
    if (args.flags.version) {
      stdout().write(`${GENERATOR_VERSION}\n`);
      return 0;
    }
    switch (args.command) {
      case 'create': {
        const { createCommand } = await import('./create.js');
        return await createCommand(args, o);
      }
      case 'regen': {
        const { regenCommand } = await import('./regen-command.js');
        return await regenCommand(args, o);
      }
      case 'update': {
        const { updateCommand } = await import('./update-command.js');
        return await updateCommand(args, o);
      }
      case 'check': {
        const { checkCommand } = await import('./check-command.js');
        return await checkCommand(args, o);
      }
      case 'outdated': {
        const { outdatedCommand } = await import('./outdated-command.js');
        return await outdatedCommand(args, o);
      }
      case 'preset': {
        const { presetCommand } = await import('../presets/cli/preset-init.js');
        return await presetCommand(args, o);
      }
      case 'remove': {
        const { removeCommand } = await import('./remove-command.js');
        return await removeCommand(args, o);
      }
    }
  } catch (err) {
    return report(err, o);
  }
}

function report(err: unknown, out: Output): number {
  if (err instanceof MissingAnswersError) {
    // npm create keeps a --yes written before `--` for itself: say where it goes.
    const dir = err.directory ? shellWord(err.directory) : '<directory>';
    const msg = err.withYes
      ? `${err.message}, which has no default: pass --name <name>, or a directory to take it from (create-go-k8s-service <directory> --yes)`
      : `${err.message} (no TTY to ask): pass them as flags, or --yes to take the defaults; through npm create, --yes goes after --: npm create go-k8s-service ${dir} -- --yes`;
    out.error(msg);
    if (out.isJson) out.json({ ok: false, error: msg, missing: err.questions.map(flagName), exitCode: 2 });
    return 2;
  }
  if (err instanceof UsageError || err instanceof CommandFailed) {
    const code = err instanceof CommandFailed ? err.exitCode : 2;
    out.error(err.message);
    if (out.isJson) out.json({ ok: false, error: err.message, exitCode: code });
    return code;
  }
  if ((err as Error)?.name === 'PromptCancelled') {
    const msg = `cancelled: ${out.interruptNote ?? 'nothing was written'}`;
    stderr().write(`\n${msg[0]!.toUpperCase()}${msg.slice(1)}.\n`);
    if (out.isJson) out.json({ ok: false, interrupted: true, error: msg, exitCode: 130 });
    return 130;
  }
  // The file system said no (a file where a directory should be, a full or read-only disk):
  // the user's problem to fix, not ours. writeProject has undone what it wrote.
  const fs = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof fs.code === 'string' && typeof fs.syscall === 'string') {
    const reading = ['read', 'scandir', 'stat', 'lstat', 'readlink', 'access'].includes(fs.syscall);
    const msg = `cannot ${reading ? 'read' : 'write'}: ${fs.message}; ${out.interruptNote ?? 'nothing was changed'}`;
    out.error(msg);
    if (out.isJson) out.json({ ok: false, error: msg, exitCode: 1 });
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  out.error(`${message}\nThis looks like a bug in create-go-k8s-service ${GENERATOR_VERSION}; please report it with the command you ran.`);
  if (process.env.CGKS_DEBUG && err instanceof Error) stderr().write(`${err.stack}\n`);
  if (out.isJson) out.json({ ok: false, error: message, exitCode: 1 });
  return 1;
}
