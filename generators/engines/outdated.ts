// Whether a generated repo's recorded generator version is behind the newest release the
// package source has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchRelease, latestVersion, PackageUnavailable, type PackageSource } from './package-source.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { renderRelease } from './release-render.js';
import { STALE_NAMED, staleAgainstThisVersion, staleFiles } from './stale.js';
import { compareVersions, parseRecord, RECORD_FILE, RecordError } from '../model/record.js';
import { findRepoRoot, loadRepo, NotAGeneratedRepoError } from './repo.js';

export interface OutdatedReport {
  /** The service's name, from the recorded answers. */
  name: string;
  recorded: string;
  latest: string;
  outdated: boolean;
  /** The record names the newest version, but unedited files are older (a bump-only record). */
  stale?: { count: number; files: string[] };
  /** Why staleness could not be measured, when it could not. */
  note?: string;
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
  const latest = latestVersion(source);
  if (compareVersions(recorded, latest) !== 0) return { root, name, recorded, latest, outdated: compareVersions(recorded, latest) < 0 };
  // Up to date by the record: the files must be what that version writes, too.
  const { files, note } = await staleAgainstRelease(root, latest, source);
  if (files.length === 0) return { root, name, recorded, latest, outdated: false, ...(note ? { note } : {}) };
  return { root, name, recorded, latest, outdated: true, stale: { count: files.length, files: files.slice(0, STALE_NAMED) } };
}

/** Stale files against `version`: this generator's own templates, or that release's package. */
async function staleAgainstRelease(root: string, version: string, source: PackageSource): Promise<{ files: string[]; note?: string }> {
  try {
    if (version === GENERATOR_VERSION) return { files: staleAgainstThisVersion(root)?.files ?? [] };
    const { record } = loadRepo(root);
    // Another release renders the bare answers: a preset's files and patches would all look stale.
    if (record.preset)
      return {
        files: [],
        note: `could not tell whether the files are ${version}'s: the repo has a preset, and only ${version} itself renders it`,
      };
    const rendered = (await renderRelease(fetchRelease(version, source), version, record.answers)).files;
    return { files: staleFiles(root, record, rendered) };
  } catch (err) {
    if (err instanceof PackageUnavailable) return { files: [], note: `could not tell whether the files are ${version}'s: ${err.message}` };
    throw err;
  }
}
