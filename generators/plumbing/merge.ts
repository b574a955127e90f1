// Text diffs and merges. The 3-way merge is `git merge-file`: git's own algorithm and
// conflict markers, so the result reads like any merge conflict and tools know it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MergeResult {
  text: string;
  /** Conflicting hunks, marked with <<<<<<< ours / >>>>>>> theirs in text. */
  conflicts: number;
}

export const MERGE_LABELS = ['ours', 'base', 'theirs'] as const;

/** diff3: each conflict also holds the base's lines (`||||||| base`), for a merge that resolves more. */
export function mergeText(ours: string, base: string, theirs: string, opts: { diff3?: boolean } = {}): MergeResult {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-merge-'));
  try {
    const paths = [ours, base, theirs].map((text, i) => {
      const p = join(dir, MERGE_LABELS[i]!);
      writeFileSync(p, text);
      return p;
    });
    const labels = MERGE_LABELS.flatMap((l) => ['-L', l]);
    const style = opts.diff3 ? ['--diff3'] : [];
    const r = spawnSync('git', ['merge-file', '-p', ...style, ...labels, ...paths], { maxBuffer: 1 << 30 });
    if (r.error)
      throw new Error(`git merge-file: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : r.error.message}`);
    // The exit status is the number of conflicts; negative (255 here) means it failed.
    if (r.status === null || r.status > 127)
      throw new Error(`git merge-file failed: ${r.stderr.toString().trim() || `status ${r.status}`}`);
    return { text: r.stdout.toString(), conflicts: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The line (1-based) of the first conflict a merge left unresolved: a `<<<<<<<` line followed by
 * `=======` and `>>>>>>>` lines, in that order. A lone `=======` (a Markdown underline) is none.
 */
export function conflictMarkerLine(text: string): number | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^<{7}(?: |$)/.test(lines[i]!)) continue;
    const mid = lines.findIndex((l, k) => k > i && /^={7}\r?$/.test(l));
    if (mid > i && lines.some((l, k) => k > mid && /^>{7}(?: |\r?$)/.test(l))) return i + 1;
  }
  return undefined;
}

/** A git-style unified diff of one file; undefined text stands for "no such file". */
export async function unifiedDiff(path: string, before: string | undefined, after: string | undefined): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
  );
  // jsdiff starts with a "====" separator line; git's patches start with "diff --git".
  return `diff --git a/${path} b/${path}\n${patch.replace(/^=+\n/, '')}`;
}

/**
 * Every difference between ours and theirs as a conflict (lines both share stay as they are):
 * what a merge without a base can do without losing either side.
 */
export async function markDifferences(ours: string, theirs: string): Promise<MergeResult> {
  const { diffLines } = await import('diff');
  const withEol = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);
  let text = '';
  let conflicts = 0;
  let mine = '';
  let other = '';
  const flush = () => {
    if (mine === '' && other === '') return;
    text += `<<<<<<< ${MERGE_LABELS[0]}\n${withEol(mine)}=======\n${withEol(other)}>>>>>>> ${MERGE_LABELS[2]}\n`;
    conflicts++;
    mine = other = '';
  };
  for (const part of diffLines(ours, theirs)) {
    if (part.removed) mine += part.value;
    else if (part.added) other += part.value;
    else {
      flush();
      text += part.value;
    }
  }
  flush();
  return { text, conflicts };
}
