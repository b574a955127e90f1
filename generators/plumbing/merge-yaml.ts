// YAML and JSON merged by key path. The team's document is the result: its comments and key
// order stay (yaml's Document API keeps them); the generator's changes are applied where the
// team left a key as it was. Where both sides changed the same scalar the line is marked.
import { applyEdits, modify, parse as parseJsonc, printParseErrorCode, type JSONPath, type ParseError } from 'jsonc-parser';
import { mergeText } from './merge.js';
import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

export class StructureError extends Error {}

interface Conflict {
  placeholder: string;
  ours: unknown;
  theirs: unknown;
}

const isNode = (n: unknown): n is Node => isScalar(n) || isCollection(n) || isAlias(n);
/** Same value: YAML nodes as written (an alias by its anchor's name), plain values as JSON. */
const equal = (a: unknown, b: unknown): boolean =>
  isNode(a) || isNode(b) ? sourceOf(a) === sourceOf(b) : JSON.stringify(a) === JSON.stringify(b);

function mapOf(n: unknown): YAMLMap | undefined {
  return isMap(n) ? n : undefined;
}

/** The node's text, aliases as written: an alias is equal to an alias of the same anchor. */
const sourceOf = (n: unknown): string =>
  isAlias(n)
    ? `*${n.source}`
    : isCollection(n)
      ? JSON.stringify(n.items.map((i) => (isMap(n) ? [sourceOf((i as Pair).key), sourceOf((i as Pair).value)] : sourceOf(i))))
      : isScalar(n)
        ? JSON.stringify(n.value)
        : JSON.stringify(n ?? null);

/**
 * Which item of a list this is, across the three versions: a CI step by its id, name, action
 * or command; a GitLab script line or a branch name by its text. undefined: no identity.
 */
function identity(n: unknown): string | undefined {
  if (isScalar(n) || isAlias(n)) return `=${sourceOf(n)}`;
  if (!isMap(n)) return undefined;
  for (const k of ['id', 'name', 'uses', 'run']) {
    const p = n.items.find((i) => keyName(i) === k);
    if (p && isScalar(p.value)) return `${k}=${String(p.value.value)}`;
  }
  return undefined;
}

function identities(s: YAMLSeq | undefined): string[] | undefined {
  if (!s) return [];
  const ids = s.items.map(identity);
  if (ids.some((i) => i === undefined) || new Set(ids).size !== ids.length) return undefined;
  return ids as string[];
}

/**
 * A list both sides changed, merged by item identity: an item one side added arrives after the
 * item it follows there; an item one side removed (and the other left as it was) goes; an item
 * both kept is merged within. A list whose items have no identity, an item removed by one side
 * and changed by the other, or one item replaced differently by both: not a merge to guess.
 */
function mergeSeqs(o: YAMLSeq, b: YAMLSeq | undefined, t: YAMLSeq, conflicts: Conflict[], path: string): void {
  const [oi, bi, ti] = [identities(o), identities(b), identities(t)];
  if (!oi || !bi || !ti) throw new StructureError(`both sides changed the list ${path} and its items cannot be told apart`);
  const at = (s: YAMLSeq | undefined, ids: string[], id: string) => (s && ids.includes(id) ? s.items[ids.indexOf(id)] : undefined);
  const goneFromBoth = bi.filter((id) => !oi.includes(id) && !ti.includes(id));
  const addedByUs = oi.filter((id) => !bi.includes(id));
  const addedByThem = ti.filter((id) => !bi.includes(id) && !oi.includes(id));
  if (goneFromBoth.length > 0 && addedByUs.length > 0 && addedByThem.length > 0) {
    throw new StructureError(`both sides replaced items of the list ${path}`);
  }
  // Removed by them.
  for (const id of bi.filter((i) => !ti.includes(i) && oi.includes(i))) {
    const item = at(o, oi, id);
    if (sourceOf(item) !== sourceOf(at(b, bi, id)))
      throw new StructureError(`the list ${path}: one side removed an item the other changed`);
    o.items.splice(o.items.indexOf(item), 1);
    oi.splice(oi.indexOf(id), 1);
  }
  ti.forEach((id, i) => {
    const tItem = t.items[i];
    if (!oi.includes(id)) {
      if (bi.includes(id)) return; // removed by us: stays removed
      const prev = ti
        .slice(0, i)
        .reverse()
        .find((p) => oi.includes(p));
      const to = prev === undefined ? 0 : oi.indexOf(prev) + 1;
      o.items.splice(to, 0, tItem);
      oi.splice(to, 0, id);
      return;
    }
    const oItem = o.items[oi.indexOf(id)];
    const bItem = at(b, bi, id);
    if (sourceOf(tItem) === sourceOf(bItem) || sourceOf(oItem) === sourceOf(tItem)) return;
    if (bItem !== undefined && sourceOf(oItem) === sourceOf(bItem)) {
      o.items[oi.indexOf(id)] = tItem;
      return;
    }
    const [om, bm, tm] = [mapOf(oItem), mapOf(bItem), mapOf(tItem)];
    if (om && tm) {
      mergeMaps(om, bm, tm, conflicts, `${path}[${id}].`);
      return;
    }
    throw new StructureError(`both sides changed the item ${id} of the list ${path}`);
  });
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
    // The comment above a key follows the generator unless the team changed it.
    if (op && bp) followComment(op.key, bp.key, tp.key);
    if (!op) {
      // New from the generator (or removed by the team: then it stays removed).
      if (bp) return;
      const after = theirKeys
        .slice(0, i)
        .reverse()
        .map((pk) => get(o, pk))
        .find((p) => p);
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
    if (isSeq(op.value) && isSeq(tp.value)) {
      mergeSeqs(op.value, isSeq(bp?.value) ? bp.value : undefined, tp.value, conflicts, `${path}${k}`);
      return;
    }
    conflictAt(op, tp.value, conflicts, `${path}${k}`);
  });
}

function followComment(o: unknown, b: unknown, t: unknown): void {
  if (!isScalar(o) || !isScalar(b) || !isScalar(t)) return;
  if ((o.commentBefore ?? undefined) === (b.commentBefore ?? undefined) && o.commentBefore !== t.commentBefore)
    o.commentBefore = t.commentBefore;
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
  // The header comment (a CI file's "Generated by … <version>") follows the generator unless the team changed it.
  if (o.commentBefore === b.commentBefore) o.commentBefore = t.commentBefore;
  const text = o.toString({ lineWidth: 0, flowCollectionPadding: false });
  if (equal(o.toJSON(), parseDocument(ours).toJSON()) && conflicts.length === 0) return { text: ours, conflicts: 0 };
  return { text: markConflicts(text, conflicts, (v) => new Document(v).toString({ lineWidth: 0 }).trimEnd()), conflicts: conflicts.length };
}

/**
 * A CI file (GitHub workflow, .gitlab-ci.yml): a clean line merge that still parses is taken as
 * is (the team's layout byte for byte, as git would merge it); where lines clash, the merge by
 * key path (jobs by name, steps by id, name, action or command) decides, markers only on a value
 * both sides changed.
 */
export function mergeCiYaml(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const byLine = mergeText(ours, base, theirs);
  if (byLine.conflicts === 0 && parseDocument(byLine.text).errors.length === 0) return byLine;
  return mergeYaml(ours, base, theirs);
}

/**
 * JSON (renovate.json) the same way, written as edits to the team's text (jsonc-parser's
 * modify), so its layout stays: one-line arrays, key order, indentation.
 */
export function mergeJson(ours: string, base: string, theirs: string): { text: string; conflicts: number } {
  const parse = (text: string, side: string) => {
    const errors: ParseError[] = [];
    const v = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: false });
    if (errors.length)
      throw new StructureError(`${side} is not JSON: ${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}`);
    return v as unknown;
  };
  const [ov, bv, tv] = [parse(ours, 'ours'), parse(base, 'base'), parse(theirs, 'theirs')];
  const conflicts: Conflict[] = [];
  let text = ours;
  const set = (path: JSONPath, value: unknown, siblings?: string[]) => {
    const edits = modify(text, path, value, {
      formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
      // A new key goes after the key it follows in the generator's file.
      getInsertionIndex: siblings
        ? (props) => {
            const prev = siblings
              .slice(0, siblings.indexOf(String(path[path.length - 1])))
              .reverse()
              .find((k) => props.includes(k));
            return prev === undefined ? 0 : props.indexOf(prev) + 1;
          }
        : undefined,
    });
    text = applyEdits(text, edits);
  };
  const conflict = (path: JSONPath, o: unknown, t: unknown) => {
    const scalar = (v: unknown) => v === undefined || typeof v !== 'object' || v === null;
    if (!scalar(o) || !scalar(t))
      throw new StructureError(`both sides changed ${path.join('.') || 'the document'} and it is not a single value`);
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
