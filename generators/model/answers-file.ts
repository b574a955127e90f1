// The bytes of an answers file as plain data: JSON for a .json file, YAML otherwise. Everything
// a user can get wrong in the file itself (its encoding, a key given twice, a tag that asks for
// code, more than one document) is one line naming the file and where.
import { UsageError } from '../plumbing/errors.js';

/** Input from a file or flags that is wrong in form (not a bad value): exit 2. */
export class AnswersFileError extends UsageError {}

/** Tags of YAML's core schema (and !!merge, the tag of `<<`): plain values only. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'merge'].map((t) => `tag:yaml.org,2002:${t}`));

/** Control, invisible and bidirectional characters, escaped for a message. */
function visible(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A YAML tag as the user wrote it: tag:yaml.org,2002:js/function is !!js/function. */
const shownTag = (tag: string) => (tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag);

function decode(bytes: Uint8Array, fail: (rule: string) => never): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) fail('is UTF-16 text: save it as UTF-8');
  try {
    // Drops a UTF-8 byte order mark, as editors on Windows write one.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const good = Buffer.from(new TextDecoder('utf-8').decode(bytes), 'utf8');
    let at = 0;
    while (at < bytes.length && bytes[at] === good[at]) at++;
    const before = Buffer.from(bytes.subarray(0, at)).toString('utf8');
    const line = before.split('\n').length;
    fail(`is not UTF-8 text (a bad byte at line ${line}, column ${at - (before.lastIndexOf('\n') + 1) + 1}): save it as UTF-8`);
  }
}

/** Parses an answers file's bytes; path names it in messages. */
export async function parseAnswersFile(bytes: Uint8Array, path: string, json: boolean): Promise<unknown> {
  const fail = (rule: string): never => {
    throw new AnswersFileError(`--answers: ${path} ${rule}`);
  };
  const invalid = (rule: string): never => fail(`is not valid ${json ? 'JSON' : 'YAML'}: ${rule}`);
  const text = decode(bytes, fail);

  // yaml is CommonJS: in the bundle its exports exist only as the default export.
  const YAML = (await import('yaml')).default;
  const lines = new YAML.LineCounter();
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, col, where: `line ${line}, column ${col}` };
  };
  // JSON is read as YAML too (it is YAML's flow style), for what JSON.parse does not say: keys given twice.
  const doc = YAML.parseDocument(text, { lineCounter: lines, merge: !json, uniqueKeys: false, logLevel: 'error' });

  let data: unknown;
  if (json) {
    try {
      data = JSON.parse(text.replace(/^\ufeff/, ''));
    } catch (err) {
      invalid(visible((err as Error).message.split('\n')[0]!));
    }
    if (doc.errors.length > 0) return data;
  } else {
    // C0 controls other than tab and line ends (DEL too is outside YAML's printable set, but the
    // yaml package writes it unescaped, so files it made are let through: the answer's rule judges it).
    const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.exec(text);
    if (control)
      invalid(
        `the control character ${visible(control[0])} at ${at(control.index).where} (YAML text allows tab, line feed and carriage return)`,
      );
    const error = doc.errors[0];
    if (error) {
      if (error.code === 'MULTIPLE_DOCS')
        fail(`holds more than one YAML document (line ${at(error.pos[0]).line}): put every answer in one`);
      const said = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      invalid(`${visible(said[0]!.toLowerCase() + said.slice(1))} (${at(error.pos[0]).where})`);
    }
  }

  // Keys given twice, keys that are collections, and tags that ask for more than a plain value.
  const tagged = (node: { tag?: string; range?: [number, number, number] | null }) => {
    if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag))
      fail(`line ${at(node.range?.[0] ?? 0).line}: the tag ${visible(shownTag(node.tag))} is not allowed: answers are plain values`);
  };
  YAML.visit(doc, {
    Map(_, map) {
      tagged(map);
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        const offset = (key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
        if (!YAML.isScalar(key)) return fail(`line ${at(offset).line}: keys must be plain names, not lists or maps`);
        const name = String(key.value);
        if (seen.has(name)) invalid(`the key ${JSON.stringify(visible(name))} is given twice (${at(offset).where})`);
        seen.add(name);
      }
    },
    Seq: (_, seq) => tagged(seq),
    Scalar: (_, scalar) => tagged(scalar),
  });
  if (json) return data;
  for (const w of doc.warnings) {
    const tag = /^Unresolved tag: (\S+)/.exec(w.message)?.[1];
    if (tag) fail(`line ${at(w.pos[0]).line}: the tag ${visible(shownTag(tag))} is not allowed: answers are plain values`);
    fail(`line ${at(w.pos[0]).line}: ${visible(w.message.split('\n')[0]!)}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const said = (err as Error).message.split('\n')[0]!;
    return invalid(visible(said[0]!.toLowerCase() + said.slice(1)));
  }
}
