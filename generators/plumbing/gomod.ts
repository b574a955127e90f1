// A go.mod reader and writer with golang.org/x/mod/modfile's grammar and meaning (its lexer's
// tokens, blocks, `// indirect`), proven against modfile itself by test/e2e/gomod-modfile.test.ts.
// Comments on a line or on the lines just above it travel with that line.
import { isCanonicalSemver } from './semver.js';

export interface ModLine {
  /** Raw tokens after the verb, quotes kept. */
  tokens: string[];
  /** Whole-line comments just above the line. */
  before: string[];
  /** The comment at the end of the line, `//` included. */
  suffix?: string;
}

export interface ModStmt extends ModLine {
  verb: string;
}

export interface GoMod {
  stmts: ModStmt[];
  /** Comments after the last statement. */
  trailing: string[];
}

const VERBS = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'replace', 'exclude', 'retract', 'tool', 'ignore']);

export class GoModError extends Error {}

function isIdentChar(c: string): boolean {
  return !/[\s()[\]{},]/u.test(c) && c !== '"' && c !== '`';
}

interface Lexed {
  tokens: string[];
  comment?: string;
}

function lexLine(line: string, lineNo: number): Lexed {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (line.startsWith('//', i)) return { tokens, comment: line.slice(i).trimEnd() };
    else if (line.startsWith('/*', i)) throw new GoModError(`go.mod:${lineNo}: mod files must use // comments, not /* comments`);
    else if ('()[]{},'.includes(c)) {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
      if (j >= line.length) throw new GoModError(`go.mod:${lineNo}: unterminated quoted string`);
      tokens.push(line.slice(i, j + 1));
      i = j + 1;
    } else if (isIdentChar(c)) {
      let j = i;
      while (j < line.length && isIdentChar(line[j]!) && !line.startsWith('//', j)) j++;
      tokens.push(line.slice(i, j));
      i = j;
    } else throw new GoModError(`go.mod:${lineNo}: unexpected input character ${JSON.stringify(c)}`);
  }
  return { tokens };
}

/** Parses go.mod text; throws GoModError where modfile would refuse the syntax. */
export function parseGoMod(text: string): GoMod {
  const stmts: ModStmt[] = [];
  let pending: string[] = [];
  let block: string | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const { tokens, comment } = lexLine(raw, lineNo);
    if (tokens.length === 0) {
      if (comment !== undefined) pending.push(comment);
      else if (block === undefined) pending = pending.length ? pending : [];
      return;
    }
    if (block !== undefined) {
      if (tokens.length === 1 && tokens[0] === ')') {
        if (comment !== undefined) pending.push(comment);
        block = undefined;
        return;
      }
      stmts.push({ verb: block, tokens, before: pending, suffix: comment });
      pending = [];
      return;
    }
    const verb = tokens[0]!;
    if (!VERBS.has(verb)) throw new GoModError(`go.mod:${lineNo}: unknown directive: ${verb}`);
    if (tokens.length === 2 && tokens[1] === '(') {
      block = verb;
      if (comment !== undefined) pending.push(comment);
      return;
    }
    stmts.push({ verb, tokens: tokens.slice(1), before: pending, suffix: comment });
    pending = [];
  });
  if (block !== undefined) throw new GoModError(`go.mod: unexpected EOF in ${block} block`);
  return { stmts, trailing: pending };
}

/** A token's value: quoted strings unquoted. */
export function unquote(token: string): string {
  if (token.startsWith('`')) return token.slice(1, -1);
  if (token.startsWith('"')) return JSON.parse(token) as string;
  return token;
}

/** modfile.AutoQuote: quotes only where a token needs it. */
function autoQuote(token: string): string {
  if (token.length === 1 && '()[]{},'.includes(token)) return token;
  const value = unquote(token);
  const must = value === '' || value.startsWith('//') || value.startsWith('/*') || [...value].some((c) => !isIdentChar(c) || c === "'");
  return must ? JSON.stringify(value) : value;
}

/** A module path modfile takes: import-path characters only (a conflict marker is not one). */
function checkPath(s: ModStmt, path: string): void {
  if (!/^[A-Za-z0-9._~+\-/]+$/.test(path) || path.startsWith('-') || path.startsWith('/'))
    throw new GoModError(`go.mod: ${s.verb}: malformed module path ${JSON.stringify(path)}`);
}

function checkVersion(s: ModStmt, v: string): void {
  if (!isCanonicalSemver(v)) throw new GoModError(`go.mod: ${s.verb}: version ${JSON.stringify(v)} must be of the form v1.2.3`);
}

export const isIndirect = (suffix: string | undefined): boolean => suffix !== undefined && /^\/\/\s*indirect\s*(;|$)/.test(suffix);

/** What go.mod means, in the shape test/tools/modfmt prints for modfile.Parse. */
export interface GoModMeaning {
  module: string;
  go: string;
  toolchain: string;
  godebug: string[];
  require: { path: string; version: string; indirect: boolean }[];
  replace: { old: string; new: string }[];
  exclude: string[];
  retract: string[];
  tool: string[];
  ignore: string[];
}

const at = (path: string, version: string | undefined) => (version ? `${path}@${version}` : path);

function arity(s: ModStmt, ok: (n: number) => boolean): void {
  if (!ok(s.tokens.length)) throw new GoModError(`go.mod: usage of ${s.verb}: ${s.tokens.join(' ')}`);
}

export function meaningOf(mod: GoMod): GoModMeaning {
  const m: GoModMeaning = {
    module: '',
    go: '',
    toolchain: '',
    godebug: [],
    require: [],
    replace: [],
    exclude: [],
    retract: [],
    tool: [],
    ignore: [],
  };
  for (const s of mod.stmts) {
    const t = s.tokens.map(unquote);
    switch (s.verb) {
      case 'module':
        arity(s, (n) => n === 1);
        m.module = t[0]!;
        break;
      case 'go':
        arity(s, (n) => n === 1);
        m.go = t[0]!;
        break;
      case 'toolchain':
        arity(s, (n) => n === 1);
        m.toolchain = t[0]!;
        break;
      case 'godebug':
        m.godebug.push(t.join(''));
        break;
      case 'require':
        arity(s, (n) => n === 2);
        checkPath(s, t[0]!);
        checkVersion(s, t[1]!);
        m.require.push({ path: t[0]!, version: t[1]!, indirect: isIndirect(s.suffix) });
        break;
      case 'replace': {
        const arrow = t.indexOf('=>');
        if (arrow < 1 || arrow > 2 || t.length - arrow - 1 < 1 || t.length - arrow - 1 > 2)
          throw new GoModError(`go.mod: usage of replace: ${s.tokens.join(' ')}`);
        m.replace.push({ old: at(t[0]!, arrow === 2 ? t[1] : undefined), new: at(t[arrow + 1]!, t[arrow + 2]) });
        break;
      }
      case 'exclude':
        arity(s, (n) => n === 2);
        checkPath(s, t[0]!);
        checkVersion(s, t[1]!);
        m.exclude.push(at(t[0]!, t[1]));
        break;
      case 'retract':
        m.retract.push(t.join(''));
        break;
      case 'tool':
        arity(s, (n) => n === 1);
        m.tool.push(t[0]!);
        break;
      case 'ignore':
        arity(s, (n) => n === 1);
        m.ignore.push(t[0]!);
        break;
    }
  }
  if (!m.module) throw new GoModError('go.mod: no module directive');
  return m;
}

/** The order `go mod tidy` keeps: these first, each a block (or one line) of its own. */
const ORDER = ['module', 'go', 'toolchain', 'godebug', 'require', 'tool', 'ignore', 'replace', 'exclude', 'retract'];

/** Tokens as modfile prints them: `retract [v1.0.0, v1.0.5]`. */
function joinTokens(tokens: string[]): string {
  return tokens.reduce((out, tok, i) => (i === 0 || tokens[i - 1] === '[' || tok === ',' || tok === ']' ? out + tok : `${out} ${tok}`), '');
}

function lineText(l: ModLine, indent: string): string {
  const body = indent + joinTokens(l.tokens.map(autoQuote)) + (l.suffix ? ` ${l.suffix}` : '');
  return [...l.before.map((c) => indent + c), body].join('\n');
}

/**
 * Writes statements the way modfile.Format prints them: a blank line between top-level
 * statements, a block for two or more of one kind; requires split into direct and indirect.
 */
export function formatGoMod(mod: GoMod): string {
  const groups: { verb: string; lines: ModLine[] }[] = [];
  for (const verb of ORDER) {
    const lines = mod.stmts.filter((s) => s.verb === verb);
    if (verb === 'require') {
      const direct = lines.filter((l) => !isIndirect(l.suffix));
      const indirect = lines.filter((l) => isIndirect(l.suffix));
      for (const g of [direct, indirect]) if (g.length) groups.push({ verb, lines: g });
    } else if (lines.length) groups.push({ verb, lines });
  }
  const out = groups.map(({ verb, lines }) => {
    if (lines.length === 1 && ['module', 'go', 'toolchain'].includes(verb)) {
      const l = lines[0]!;
      return lineText({ ...l, tokens: [verb, ...l.tokens] }, '');
    }
    if (lines.length === 1 && lines[0]!.before.length === 0) return lineText({ ...lines[0]!, tokens: [verb, ...lines[0]!.tokens] }, '');
    return `${verb} (\n${lines.map((l) => lineText(l, '\t')).join('\n')}\n)`;
  });
  let text = out.join('\n\n') + '\n';
  if (mod.trailing.length) text += `\n${mod.trailing.join('\n')}\n`;
  return text;
}
