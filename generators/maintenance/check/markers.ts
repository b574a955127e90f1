// Conflict markers a merge left in a generated file and nobody resolved (committed as they were).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoRecord } from '../../model/record.js';
import { conflictMarkerLine } from '../../plumbing/merge.js';
import type { Checker } from './checker.js';

export function checkConflictMarkers(c: Checker, record: RepoRecord): void {
  for (const path of Object.keys(record.files)) {
    let isFile = false;
    try {
      isFile = statSync(join(c.root, path)).isFile();
    } catch {
      // Missing: the record rule says so.
    }
    const text = isFile ? c.optional(path) : undefined;
    const line = text === undefined ? undefined : conflictMarkerLine(text);
    if (line !== undefined) c.fail('conflict-markers', path, `${path} holds unresolved conflict markers (<<<<<<< at line ${line}): resolve them and commit`, line);
  }
}
