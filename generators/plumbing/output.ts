// Human output: colour only on a terminal and without NO_COLOR; with --json, human text
// goes to stderr so stdout carries nothing but the JSON document.
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export interface Output {
  /** Progress, summaries, next steps. */
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** The JSON result (only with --json). */
  json(value: unknown): void;
  style(style: Style, text: string): string;
  isJson: boolean;
  /**
   * What is on disk right now, for the line printed when Ctrl-C ends the command
   * ("Interrupted: <note>."); commands update it as they go.
   */
  interruptNote?: string;
}

const useColour = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

// A reader that goes away (`| head`) is not an error worth a stack trace.
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Write to these rather than to process.stdout/stderr: each stream is built on first use (a
// run that never writes to one does not pay for it) and then ignores a closed reader.
export function stdout(): NodeJS.WriteStream {
  ignoreClosedPipe(process.stdout);
  return process.stdout;
}

export function stderr(): NodeJS.WriteStream {
  ignoreClosedPipe(process.stderr);
  return process.stderr;
}

/** `stdoutTaken`: stdout carries a document (JSON, `check --sarif -`, `update --summary -`), so human text goes to stderr. */
export function createOutput(json: boolean, stdoutTaken = json): Output {
  const human = stdoutTaken ? stderr : stdout;
  const style = (s: Style, text: string) => (useColour(human()) ? styleText(s, text) : text);
  const errStyle = (s: Style, text: string) => (useColour(stderr()) ? styleText(s, text) : text);
  return {
    isJson: json,
    info: (t) => human().write(t + '\n'),
    warn: (t) => stderr().write(`${errStyle('yellow', 'warning:')} ${t}\n`),
    error: (t) => stderr().write(`${errStyle('red', 'error:')} ${t}\n`),
    json: (v) => stdout().write(JSON.stringify(v, null, 2) + '\n'),
    style,
  };
}

export interface Progress {
  /** A slow step starts (the previous one, if any, is over). */
  step(message: string): void;
  /** No step is running any more. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress of slow steps on stderr: a spinner on the current line on a terminal (erased when
 * the step ends, so only the results remain), plain lines otherwise (CI logs, pipes).
 */
export function createProgress(stream: NodeJS.WriteStream = stderr()): Progress {
  if (!stream.isTTY || process.env.TERM === 'dumb') {
    return { step: (m) => void stream.write(`${m}\n`), stop: () => {} };
  }
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    stream.write('\r\u001b[K\u001b[?25h');
  };
  return {
    step(message) {
      clear();
      let i = 0;
      const draw = () => stream.write(`\r\u001b[K${FRAMES[i++ % FRAMES.length]} ${message}`);
      stream.write('\u001b[?25l');
      draw();
      timer = setInterval(draw, 80);
      // The steps themselves keep the process alive; a spinner alone must not.
      timer.unref();
    },
    stop: () => {
      if (timer) clear();
    },
  };
}

/** A path as a shell word the user can paste (quoted only when it needs to be). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
