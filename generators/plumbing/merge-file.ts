// The 3-way merge update and regen --merge run on a file the team edited: by structure where
// a line merge is wrong (go.mod, go.sum, YAML and JSON the team edits by key: chart values and
// CI files, renovate.json; the Makefile; Go source, where lines added beside a change merge),
// by line everywhere else, and by line too when a side does not parse (fellBack says why).
import { mergeGoSource } from './merge-go.js';
import { mergeGoMod, mergeGoSum } from './merge-gomod.js';
import { mergeMakefile } from './merge-makefile.js';
import { mergeCiYaml, mergeJson, mergeYaml } from './merge-yaml.js';
import { mergeText, type MergeResult } from './merge.js';

export interface FileMergeResult extends MergeResult {
  /** Set when a structure-aware merge could not run and the line merge did instead: why. */
  fellBack?: string;
}

type Merger = (ours: string, base: string, theirs: string) => MergeResult;

/** Which structure-aware merge a path gets, if any. */
export function structuredMergerFor(path: string): { kind: string; merge: Merger } | undefined {
  const name = path.split('/').pop()!;
  if (path === 'go.mod') return { kind: 'go.mod', merge: mergeGoMod };
  if (path === 'go.sum') return { kind: 'go.sum', merge: mergeGoSum };
  if (name === 'Makefile') return { kind: 'Makefile', merge: mergeMakefile };
  if (/^charts\/[^/]+\/values[^/]*\.ya?ml$/.test(path)) return { kind: 'YAML', merge: mergeYaml };
  // CI files: jobs by name, steps by id/name/action/command, variables by key.
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) || path === '.gitlab-ci.yml') return { kind: 'YAML', merge: mergeCiYaml };
  if (name === 'renovate.json') return { kind: 'JSON', merge: mergeJson };
  // Go source: by line, and a side's lines added next to the other side's change are kept.
  if (name.endsWith('.go')) return { kind: 'Go', merge: mergeGoSource };
  return undefined;
}

export function mergeFile(path: string, ours: string, base: string, theirs: string): FileMergeResult {
  const merger = structuredMergerFor(path);
  if (!merger) return mergeText(ours, base, theirs);
  try {
    return merger.merge(ours, base, theirs);
  } catch (e) {
    const m = mergeText(ours, base, theirs);
    return { ...m, fellBack: `${path}: merged by line, not as ${merger.kind} (${(e as Error).message})` };
  }
}
