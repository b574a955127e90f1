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
}

export function createOutput(json: boolean): Output {
  const human = json ? process.stderr : process.stdout;
  const colour = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const style = (s: Style, text: string) => (colour(human) ? styleText(s, text) : text);
  const errStyle = (s: Style, text: string) => (colour(process.stderr) ? styleText(s, text) : text);
  return {
    isJson: json,
    info: (t) => human.write(t + '\n'),
    warn: (t) => process.stderr.write(`${errStyle('yellow', 'warning:')} ${t}\n`),
    error: (t) => process.stderr.write(`${errStyle('red', 'error:')} ${t}\n`),
    json: (v) => process.stdout.write(JSON.stringify(v, null, 2) + '\n'),
    style,
  };
}
