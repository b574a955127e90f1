// How a file plan (regen, update, remove) is shown: one line per file, one unified diff,
// one JSON shape. The commands add only what is theirs (versions, answers changed, commit).
import { relative } from 'node:path';
import type { PlannedFile } from '../engines/file-plan.js';
import { asidePath } from '../model/record.js';
import { unifiedDiff } from '../plumbing/merge.js';
import type { Output } from '../plumbing/output.js';

/**
 * The JSON of a plan. 2: one action vocabulary for regen, update and remove (0.4's update
 * said `conflict` for what is now `merge-conflict`; remove said deleted/recorded/already).
 */
export const PLAN_JSON_VERSION = 2;

/** Files whose text changes on disk. */
const CHANGES = new Set(['create', 'update', 'delete', 'merged', 'merge-conflict']);

export function planJson(files: readonly PlannedFile[]) {
  return {
    jsonVersion: PLAN_JSON_VERSION,
    changed: files.filter((f) => CHANGES.has(f.action)).map((f) => f.path),
    files: files.map(({ path, action, reason }) => ({ path, action, ...(reason ? { reason } : {}) })),
  };
}

/** Warnings, then one line per file that is not unchanged, then `<where>: <summary>`. */
export function printPlan(
  out: Output,
  r: { root: string; files: readonly PlannedFile[]; warnings?: readonly string[] },
  summary: string,
): void {
  for (const w of r.warnings ?? []) out.warn(w);
  for (const f of r.files) {
    if (f.action === 'unchanged') continue;
    out.info(`  ${f.action.padEnd(10)} ${f.path}${f.reason ? `  (${f.reason})` : ''}`);
  }
  out.info(`${relative(process.cwd(), r.root) || '.'}: ${summary}`);
}

/** What the plan would change on disk as one unified diff (conflicts and text put aside included). */
export async function planDiff(files: readonly PlannedFile[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    if (f.action === 'new-aside') parts.push(await unifiedDiff(asidePath(f.path), undefined, f.after));
    else if (f.after !== undefined || f.action === 'delete') parts.push(await unifiedDiff(f.path, f.before, f.after));
  }
  return parts.join('');
}
