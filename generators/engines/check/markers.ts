// Conflict markers a merge left in a generated file and nobody resolved (committed as they were).
import type { RepoRecord } from '../../model/record.js';
import { conflictMarkerLine } from '../../plumbing/merge.js';
import type { Checker } from './checker.js';

export function checkConflictMarkers(c: Checker, record: RepoRecord): void {
  for (const path of Object.keys(record.files)) {
    // Missing or unreadable files are other rules' business (record; the rules that read them).
    const text = c.optional(path);
    const line = text === undefined ? undefined : conflictMarkerLine(text);
    if (line !== undefined)
      c.fail(
        'conflict-markers',
        path,
        `${path} holds unresolved conflict markers (<<<<<<< at line ${line}): resolve them and commit`,
        line,
      );
  }
}
