// What a check rule works with: the repo's files (read once each) and the violations found.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Finding {
  rule: string;
  /** Path relative to the repo root. */
  file: string;
  message: string;
  /** The line the violation is on, when one line holds it. */
  line?: number;
}

export class Checker {
  readonly violations: Finding[] = [];
  readonly notes: string[] = [];
  private readonly texts = new Map<string, string | undefined>();
  /** Files that exist but cannot be read (a directory, no permission): why. */
  private readonly unreadable = new Map<string, string>();
  /** Values computed once per repo and shared by rules (parsed files). */
  readonly memo = new Map<string, unknown>();

  constructor(readonly root: string) {}

  fail(rule: string, file: string, message: string, line?: number): void {
    this.violations.push({ rule, file, message, ...(line ? { line } : {}) });
  }

  /** The file's text, or undefined when it does not exist or cannot be read. */
  optional(file: string): string | undefined {
    if (!this.texts.has(file)) {
      const p = join(this.root, file);
      let text: string | undefined;
      try {
        text = existsSync(p) ? readFileSync(p, 'utf8') : undefined;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        this.unreadable.set(
          file,
          code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message,
        );
      }
      this.texts.set(file, text);
    }
    return this.texts.get(file);
  }

  /** The file's text, or a violation of `rule` saying it is missing or cannot be read. */
  read(rule: string, file: string): string | undefined {
    const text = this.optional(file);
    if (text === undefined)
      this.fail(rule, file, this.unreadable.has(file) ? `cannot read ${file}: ${this.unreadable.get(file)}` : `${file} is missing`);
    return text;
  }

  /** A value computed once per repo (a parsed file several rules read). */
  once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }
}

/** Lines that are not comments (`#`), joined again: what a shell or YAML runs. */
export const withoutComments = (text: string): string =>
  text
    .split(/\r?\n/)
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
