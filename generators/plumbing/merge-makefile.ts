// A Makefile merged by target and by variable assignment: a target the team added and a
// variable the generator changed are two different things, however close their lines sit.
// Each chunk (a rule with its recipe, an assignment, a define … endef) carries the comment
// and blank lines above it; chunks both sides changed are line-merged on their own.
import { mergeText } from './merge.js';

export class MakefileError extends Error {}

interface Chunk {
  key: string;
  text: string;
}

const ASSIGN = /^(?:export\s+|override\s+)?([A-Za-z0-9_.-]+)\s*(?::{1,3}=|\+=|\?=|!=|=)/;
const RULE = /^([^\t#:=][^:=]*?)\s*::?(?!=)/;
const CONDITIONAL = /^\s*(ifeq|ifneq|ifdef|ifndef)\b/;

/** Splits a Makefile into keyed chunks; refuses what it cannot key (unbalanced conditionals). */
export function splitMakefile(text: string): Chunk[] {
  const lines = text.split('\n');
  const last = lines.pop(); // '' after the final newline
  if (last !== '') lines.push(last!);
  const chunks: Chunk[] = [];
  const seen = new Map<string, number>();
  let pending: string[] = [];
  const push = (key: string, body: string[]) => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    chunks.push({ key: `${key}#${n}`, text: [...pending, ...body].join('\n') + '\n' });
    pending = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const takeContinued = (start: number) => {
      let j = start;
      while (lines[j]!.endsWith('\\') && j + 1 < lines.length) j++;
      return j;
    };
    if (line.trim() === '' || /^\s*#/.test(line)) {
      pending.push(line);
      continue;
    }
    if (line.startsWith('\t')) throw new MakefileError(`Makefile:${i + 1}: a recipe line outside a rule`);
    let end: number;
    let key: string;
    if (/^define\s/.test(line)) {
      end = lines.findIndex((l, j) => j > i && /^endef\b/.test(l));
      if (end < 0) throw new MakefileError(`Makefile:${i + 1}: define without endef`);
      key = `define ${line.split(/\s+/)[1]}`;
    } else if (CONDITIONAL.test(line)) {
      let depth = 0;
      end = i;
      for (let j = i; j < lines.length; j++) {
        if (CONDITIONAL.test(lines[j]!)) depth++;
        else if (/^\s*endif\b/.test(lines[j]!)) depth--;
        if (depth === 0) {
          end = j;
          break;
        }
      }
      if (depth !== 0) throw new MakefileError(`Makefile:${i + 1}: ${line.trim()} without endif`);
      key = `if ${line.trim()}`;
    } else if (ASSIGN.test(line)) {
      end = takeContinued(i);
      key = `var ${ASSIGN.exec(line)![1]}`;
    } else if (RULE.test(line)) {
      end = takeContinued(i);
      // The recipe: tab-led lines, and comment or blank lines between them.
      let j = end + 1;
      let lastRecipe = end;
      while (j < lines.length && (lines[j]!.startsWith('\t') || lines[j]!.trim() === '' || /^\s*#/.test(lines[j]!))) {
        if (lines[j]!.startsWith('\t')) lastRecipe = j;
        j++;
      }
      end = lastRecipe;
      key = `rule ${RULE.exec(line)![1]!.trim()}`;
    } else if (/^-?include\s|^sinclude\s|^export\s|^unexport\s|^vpath\s/.test(line)) {
      end = takeContinued(i);
      key = `line ${line.trim()}`;
    } else throw new MakefileError(`Makefile:${i + 1}: cannot tell what ${JSON.stringify(line)} is`);
    push(key, lines.slice(i, end + 1));
    i = end;
  }
  if (pending.length) chunks.push({ key: 'end#0', text: pending.join('\n') + '\n' });
  if (chunks.map((c) => c.text).join('') !== (last === '' ? text : `${text}\n`))
    throw new MakefileError('Makefile: chunks do not add up to the file');
  return chunks;
}

export function mergeMakefile(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const [o, b, t] = [ours, base, theirs].map((s) => new Map(splitMakefile(s).map((c) => [c.key, c.text])));
  const theirKeys = [...t!.keys()];
  const keys = [...o!.keys()];
  // New chunks from the generator go after the chunk they follow in its file.
  theirKeys.forEach((k, i) => {
    if (o!.has(k) || b!.has(k)) return;
    const prev = theirKeys
      .slice(0, i)
      .reverse()
      .find((pk) => keys.includes(pk));
    keys.splice(prev ? keys.indexOf(prev) + 1 : 0, 0, k);
  });
  let text = '';
  let conflicts = 0;
  for (const k of keys) {
    const [oc, bc, tc] = [o!.get(k), b!.get(k), t!.get(k)];
    if (oc === undefined) {
      // New from the generator; what the team removed stays removed.
      if (bc === undefined) text += tc!;
      continue;
    }
    if (tc === undefined) {
      // Removed by the generator: gone if the team left it alone, else kept (their edit).
      if (bc !== oc) text += oc;
      continue;
    }
    if (oc === tc || tc === bc) text += oc;
    else if (oc === bc) text += tc;
    else {
      const m = mergeText(oc, bc ?? '', tc);
      text += m.text;
      conflicts += m.conflicts;
    }
  }
  return { text, conflicts };
}
