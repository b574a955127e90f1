// YAML and JSON merged by key path. The team's document is the result: its comments and key
// order stay (yaml's Document API keeps them); the generator's changes are applied where the
// team left a key as it was. Where both sides changed the same scalar the line is marked.
import { applyEdits, modify, parse as parseJsonc, printParseErrorCode, type JSONPath, type ParseError } from 'jsonc-parser';
import { Document, isMap, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export class StructureError extends Error {}

interface Conflict {
  placeholder: string;
  ours: unknown;
  theirs: unknown;
}

const plain = (n: unknown): unknown => (n && typeof n === 'object' && 'toJSON' in n ? (n as Node).toJSON() : n);
const equal = (a: unknown, b: unknown): boolean => JSON.stringify(plain(a)) === JSON.stringify(plain(b));

function mapOf(n: unknown): YAMLMap | undefined {
  return isMap(n) ? n : undefined;
}

function keyName(p: Pair): string {
  return String(isScalar(p.key) ? p.key.value : p.key);
}

function mergeMaps(o: YAMLMap, b: YAMLMap | undefined, t: YAMLMap, conflicts: Conflict[], path: string): void {
  const get = (m: YAMLMap | undefined, k: string) => m?.items.find((p) => keyName(p) === k);
  const theirKeys = t.items.map(keyName);
  // Keys the generator removed, where the team left them as they were.
  for (const bp of b?.items ?? []) {
    const k = keyName(bp);
    if (get(t, k)) continue;
    const op = get(o, k);
    if (!op) continue;
    if (equal(op.value, bp.value)) o.items.splice(o.items.indexOf(op), 1);
    else conflictAt(op, undefined, conflicts, `${path}${k}`);
  }
  theirKeys.forEach((k, i) => {
    const tp = get(t, k)!;
    const bp = get(b, k);
    const op = get(o, k);
    if (!op) {
      // New from the generator (or removed by the team: then it stays removed).
      if (bp) return;
      const after = theirKeys.slice(0, i).reverse().map((pk) => get(o, pk)).find((p) => p);
      o.items.splice(after ? o.items.indexOf(after) + 1 : 0, 0, tp);
      return;
    }
    if (equal(tp.value, bp?.value) || equal(op.value, tp.value)) return;
    if (bp && equal(op.value, bp.value)) {
      // A scalar keeps its node: the team's comments on it (above, beside) stay with the new value.
      if (isScalar(op.value) && isScalar(tp.value)) Object.assign(op.value, { value: tp.value.value, type: tp.value.type });
      else op.value = tp.value;
      return;
    }
    const [om, bm, tm] = [mapOf(op.value), mapOf(bp?.value), mapOf(tp.value)];
    if (om && tm) {
      mergeMaps(om, bm, tm, conflicts, `${path}${k}.`);
      return;
    }
    conflictAt(op, tp.value, conflicts, `${path}${k}`);
  });
}

function conflictAt(op: Pair, theirs: unknown, conflicts: Conflict[], where: string): void {
  const ours = op.value;
  const scalar = (v: unknown) => v === undefined || isScalar(v);
  if (!scalar(ours) || !scalar(theirs)) throw new StructureError(`both sides changed ${where} and it is not a single value`);
  const placeholder = `__cgks_conflict_${conflicts.length}__`;
  conflicts.push({ placeholder, ours, theirs });
  (op as { value: unknown }).value = placeholder;
}

/** The placeholder's line, written twice between conflict markers: ours, then theirs. */
function markConflicts(text: string, conflicts: Conflict[], render: (v: unknown) => string): string {
  for (const c of conflicts) {
    text = text.replace(new RegExp(`^(.*?)"?${c.placeholder}"?(.*)$`, 'm'), (_line, pre: string, post: string) => {
      const side = (v: unknown) => (v === undefined ? `${pre.replace(/\S.*$/, '')}# (removed)` : `${pre}${render(v)}${post}`);
      return `<<<<<<< ours\n${side(c.ours)}\n=======\n${side(c.theirs)}\n>>>>>>> theirs`;
    });
  }
  return text;
}

function parseYaml(text: string, side: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new StructureError(`${side} is not YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!isMap(doc.contents) && doc.contents !== null) throw new StructureError(`${side} is not a YAML mapping`);
  return doc;
}

export function mergeYaml(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const [o, b, t] = [parseYaml(ours, 'ours'), parseYaml(base, 'base'), parseYaml(theirs, 'theirs')];
  if (!isMap(o.contents) || !isMap(t.contents)) throw new StructureError('an empty document');
  const conflicts: Conflict[] = [];
  mergeMaps(o.contents, mapOf(b.contents), t.contents, conflicts, '');
  const text = o.toString({ lineWidth: 0 });
  if (equal(o.toJSON(), parseDocument(ours).toJSON()) && conflicts.length === 0) return { text: ours, conflicts: 0 };
  return { text: markConflicts(text, conflicts, (v) => new Document(v).toString({ lineWidth: 0 }).trimEnd()), conflicts: conflicts.length };
}

/**
 * JSON (renovate.json) the same way, written as edits to the team's text (jsonc-parser's
 * modify), so its layout stays: one-line arrays, key order, indentation.
 */
export function mergeJson(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const parse = (text: string, side: string) => {
    const errors: ParseError[] = [];
    const v = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: false });
    if (errors.length) throw new StructureError(`${side} is not JSON: ${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}`);
    return v as unknown;
  };
  const [ov, bv, tv] = [parse(ours, 'ours'), parse(base, 'base'), parse(theirs, 'theirs')];
  const conflicts: Conflict[] = [];
  let text = ours;
  const set = (path: JSONPath, value: unknown, siblings?: string[]) => {
    const edits = modify(text, path, value, {
      formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
      // A new key goes after the key it follows in the generator's file.
      getInsertionIndex: siblings ? (props) => {
        const prev = siblings.slice(0, siblings.indexOf(String(path[path.length - 1]))).reverse().find((k) => props.includes(k));
        return prev === undefined ? 0 : props.indexOf(prev) + 1;
      } : undefined,
    });
    text = applyEdits(text, edits);
  };
  const conflict = (path: JSONPath, o: unknown, t: unknown) => {
    const scalar = (v: unknown) => v === undefined || typeof v !== 'object' || v === null;
    if (!scalar(o) || !scalar(t)) throw new StructureError(`both sides changed ${path.join('.') || 'the document'} and it is not a single value`);
    const placeholder = `__cgks_conflict_${conflicts.length}__`;
    conflicts.push({ placeholder, ours: o, theirs: t });
    set(path, placeholder);
  };
  const walk = (path: JSONPath, o: unknown, b: unknown, t: unknown) => {
    if (equal(o, t) || equal(t, b)) return;
    if (equal(o, b)) return set(path, t);
    if (!isObj(o) || !isObj(t)) return conflict(path, o, t);
    const bo = isObj(b) ? b : {};
    for (const k of Object.keys(bo)) {
      if (k in t || !(k in o)) continue;
      if (equal(o[k], bo[k])) set([...path, k], undefined);
      else conflict([...path, k], o[k], undefined);
    }
    const order = Object.keys(t);
    for (const k of order) {
      if (!(k in o)) {
        if (!(k in bo)) set([...path, k], t[k], order); // the team's removal stays
        continue;
      }
      walk([...path, k], o[k], bo[k], t[k]);
    }
  };
  walk([], ov, bv, tv);
  return { text: markConflicts(text, conflicts, (v) => JSON.stringify(v)), conflicts: conflicts.length };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
