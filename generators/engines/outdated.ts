// Whether a generated repo's recorded generator version is behind the newest release the
// package source has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { latestVersion, type PackageSource } from './package-source.js';
import { compareVersions, parseRecord, RECORD_FILE, RecordError } from '../model/record.js';
import { findRepoRoot, NotAGeneratedRepoError } from './repo.js';

export interface OutdatedReport {
  /** The service's name, from the recorded answers. */
  name: string;
  recorded: string;
  latest: string;
  outdated: boolean;
}

/** Reads the record under `cwd` (or a parent), then asks the source for its newest version. */
export async function outdated(cwd: string, source: PackageSource): Promise<OutdatedReport & { root: string }> {
  const root = findRepoRoot(cwd);
  let recorded: string;
  let name: string;
  try {
    const record = parseRecord(readFileSync(join(root, RECORD_FILE), 'utf8'));
    recorded = record.version;
    name = String((record.answers as { name?: unknown }).name ?? '');
  } catch (err) {
    if (err instanceof RecordError) throw new NotAGeneratedRepoError(err.message.replace(RECORD_FILE, join(root, RECORD_FILE)));
    throw err;
  }
  const latest = await latestVersion(source);
  return { root, name, recorded, latest, outdated: compareVersions(recorded, latest) < 0 };
}
