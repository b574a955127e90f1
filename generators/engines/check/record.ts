// The record (.go-k8s-service.json): valid, and every file it lists exists or is recorded as removed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesFor, outputPath } from '../../model/files.js';
import type { Answers } from '../../model/questions.js';
import type { ActivePreset } from '../../presets/model/preset.js';
import { compareVersions, parseRecord, RECORD_FILE, RecordError, type RepoRecord } from '../../model/record.js';
import { GENERATOR_VERSION } from '../../model/version.js';
import { recordAnswers } from '../repo.js';
import type { Checker } from './checker.js';

/** The record and its answers; undefined when it cannot be read (a violation of record). */
export function readRecord(c: Checker, preset?: ActivePreset): { record: RepoRecord; answers: Answers } | undefined {
  try {
    const record = parseRecord(readFileSync(join(c.root, RECORD_FILE), 'utf8'));
    const answers = recordAnswers(record, preset);
    if (compareVersions(record.version, GENERATOR_VERSION) > 0) {
      c.notes.push(`${RECORD_FILE} was written by ${record.version}, newer than this checker (${GENERATOR_VERSION})`);
    }
    return { record, answers };
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    c.fail('record', RECORD_FILE, err.message.replace(`${RECORD_FILE}: `, ''));
    return undefined;
  }
}

export function checkRecordFiles(c: Checker, record: RepoRecord, answers: Answers): void {
  const generated = new Set(filesFor(answers).map((f) => outputPath(f, answers)));
  for (const path of Object.keys(record.files)) {
    if (!existsSync(join(c.root, path))) {
      c.fail(
        'record',
        path,
        `${path} is listed in ${RECORD_FILE} but missing: \`regen ${path}\` recreates it, or \`create-go-k8s-service remove ${path}\` records that you removed it on purpose`,
      );
    } else if (!generated.has(path) && record.version === GENERATOR_VERSION) {
      // Another version's file table may differ, so only this version can tell.
      c.fail('record', path, `${path} is listed in ${RECORD_FILE} but not generated with its answers`);
    }
  }
}
