// Finding and reading a generated repo: its root (where the record is) and its record.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveAnswers } from './answers.js';
import { detectEnvironment } from './environment.js';
import type { Answers } from './questions.js';
import { RECORD_FILE, type Record } from './record.js';

export class NotAGeneratedRepoError extends Error {}

export function findRepoRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, RECORD_FILE))) return dir;
    if (dirname(dir) === dir) {
      throw new NotAGeneratedRepoError(
        `no ${RECORD_FILE} in ${resolve(start)} or any parent: run this inside a repo made by create-go-k8s-service`,
      );
    }
  }
}

export interface LoadedRepo {
  root: string;
  record: Record;
  answers: Answers;
}

export function loadRepo(start: string): LoadedRepo {
  const root = findRepoRoot(start);
  let record: Record;
  try {
    record = JSON.parse(readFileSync(join(root, RECORD_FILE), 'utf8')) as Record;
  } catch (err) {
    throw new NotAGeneratedRepoError(`${join(root, RECORD_FILE)} is not valid JSON: ${(err as Error).message}`);
  }
  if (record.generator !== 'create-go-k8s-service' || typeof record.answers !== 'object' || typeof record.files !== 'object') {
    throw new NotAGeneratedRepoError(`${join(root, RECORD_FILE)} is not a create-go-k8s-service record`);
  }
  // Questions added by newer versions take their defaults.
  const answers = resolveAnswers(record.answers as never, { useDefaults: true, env: detectEnvironment() });
  return { root, record, answers };
}
