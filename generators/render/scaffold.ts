// A new repo: render the file table, add the record, write atomically.
import { filesFor, outputPath, type Group } from '../model/files.js';
import type { Answers } from '../model/questions.js';
import { buildRecord, RECORD_FILE, serializeRecord } from '../model/record.js';
import { renderAll } from './render.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { thisBuildDigest } from '../model/templates-digest.js';
import { writeProject, type FileToWrite, type WriteOptions } from '../plumbing/write.js';

/** Every file of the repo for these answers, the record last. */
export function planProject(answers: Answers): FileToWrite[] {
  const files = renderAll(answers, filesFor(answers)).map(({ path, content }) => ({ path, content }));
  const record = buildRecord(answers, GENERATOR_VERSION, files, thisBuildDigest());
  return [...files, { path: RECORD_FILE, content: serializeRecord(record) }];
}

/** The paths planProject would write, in the same order, without rendering anything. */
export function projectPaths(answers: Answers): string[] {
  return [...filesFor(answers).map((f) => outputPath(f, answers)), RECORD_FILE];
}

/** The files of some groups only (plop's per-group generators). */
export function planGroups(answers: Answers, groups: readonly Group[]): FileToWrite[] {
  const files = filesFor(answers).filter((f) => groups.includes(f.group));
  return renderAll(answers, files).map(({ path, content }) => ({ path, content }));
}

export interface ScaffoldResult {
  directory: string;
  files: string[];
}

export function scaffold(dir: string, answers: Answers, opts: WriteOptions & { dryRun?: boolean } = {}): ScaffoldResult {
  const files = planProject(answers);
  const directory = opts.dryRun ? dir : writeProject(dir, files, opts);
  return { directory, files: files.map((f) => f.path) };
}
