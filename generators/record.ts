// The record written into every generated repo: answers, generator version and a hash of
// each generated file as generated, so regen can tell untouched files from edited ones.
import { createHash } from 'node:crypto';
import type { Answers } from './questions.js';
import type { FileToWrite } from './write.js';

export const RECORD_FILE = '.go-k8s-service.json';

export interface Record {
  $comment: string;
  generator: 'create-go-k8s-service';
  version: string;
  answers: Answers;
  /** Path → git blob id of the content as generated. */
  files: { [path: string]: string };
}

/**
 * The git blob id of the content (what `git hash-object` prints): a content hash that is
 * also the key to the generated text in git's object store, which `update` uses as the
 * base of its 3-way merge.
 */
export function hashContent(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function buildRecord(answers: Answers, version: string, files: readonly FileToWrite[]): Record {
  const hashes: Record['files'] = {};
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) hashes[f.path] = hashContent(f.content);
  return {
    $comment:
      'Written by create-go-k8s-service. It records your answers and what each file looked like when generated, ' +
      'so `npm create go-k8s-service -- regen <file|group>` can update files without losing your edits. Commit it; do not edit it.',
    generator: 'create-go-k8s-service',
    version,
    answers,
    files: hashes,
  };
}

export function serializeRecord(r: Record): string {
  return JSON.stringify(r, null, 2) + '\n';
}
