// Just enough Markdown for the docs tests: the headings a page has (as GitHub's anchors) and the
// relative links it holds, outside code. GitHub names a heading's anchor with github-slugger (the
// library this uses): lower case, punctuation dropped, spaces to hyphens, "-1", "-2" for repeats.
import GithubSlugger from 'github-slugger';

export interface Link {
  line: number;
  target: string;
}

/** The text with fenced code blocks blanked (line numbers kept). */
function withoutCodeBlocks(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      return '';
    }
    return line;
  });
}

/** A line's inline code spans replaced by their text without the backticks' meaning (no link inside code counts). */
const withoutCodeSpans = (line: string) => line.replace(/(`+)([\s\S]*?)\1/g, (_m, _t, code: string) => 'x'.repeat(code.length));

/** The anchors GitHub gives the page: one per heading (duplicates numbered), plus explicit `<a id|name>`. */
export function anchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const found = new Set<string>();
  for (const line of withoutCodeBlocks(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      // What GitHub renders: link text without its target, no HTML tags; the slugger drops the rest.
      const rendered = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
      found.add(slugger.slug(rendered));
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(m[1]!);
  }
  return found;
}

/** Every link of the page that is not a URL with a scheme: inline links, images and reference definitions. */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  withoutCodeBlocks(text).forEach((raw, i) => {
    const line = withoutCodeSpans(raw);
    const targets = [
      ...[...line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]!),
    ];
    for (let target of targets) {
      if (target.startsWith('<')) target = target.slice(1, -1);
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ line: i + 1, target });
    }
  });
  return links;
}
