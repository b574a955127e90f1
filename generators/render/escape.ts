// Escapers for user text, one per target language. Templates never insert free text raw
// into code or data: they call one of these as a Handlebars helper.

/** A Go interpreted string literal ("..."), as strconv.Quote would write it. */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp === 0xfeff)
      out += '\\ufeff'; // a BOM inside source is rejected by the Go compiler
    else out += ch;
  }
  return out + '"';
}

/** A YAML double-quoted scalar. JSON strings are valid YAML 1.2 double-quoted scalars. */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** A JSON string literal. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}

/** A POSIX shell word in single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A shell word in a Make recipe: single-quoted for the shell, `$` doubled so make passes it on. */
export function makeShellQuote(s: string): string {
  return shellQuote(s).replaceAll('$', '$$$$');
}

/**
 * The rest of a doc comment's first line after "Command <name>": ": <text>", or nothing when
 * the text cannot be carried. No newline can break out of the comment, and the two characters
 * the Go compiler refuses in a comment (NUL, a byte order mark) are dropped. Doc comment syntax
 * reads ``x'' as “x” and gofmt rewrites the pairs so; doing the same here keeps the file
 * gofmt-clean. gofmt keeps pairs inside a URL, and its handling of three or more backticks
 * depends on the text's position, so text with a pair and "://" or "```" is left out of the
 * comment rather than guessed at (it is still in the binary's usage text).
 */
export function goDocTail(s: string): string {
  const text = s.replace(/[\r\n]+/g, ' ').replace(/[\u0000\ufeff]/g, '');
  if (text === '') return '';
  const pairs = /``|''/.test(text);
  if (!pairs) return `: ${text}`;
  if (text.includes('://') || text.includes('```')) return '';
  return `: ${text.replace(/``/g, '\u201c').replace(/''/g, '\u201d')}`;
}

/** Text inside a Markdown paragraph, kept exactly as typed. */
export function markdownText(s: string): string {
  return s;
}
