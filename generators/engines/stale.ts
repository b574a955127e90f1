// A stale repo, whatever its record says: files the team never edited (their text is the
// blob the record names) that are not what the recorded version writes. A record whose
// version alone was bumped (what a Renovate pull request does when it cannot run the update
// task) claims a version its files are not from; this finds it.
import { hashContent, type RepoRecord } from '../model/record.js';
import { renderAll } from '../render/render.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { PresetError, withPreset } from '../presets/model/preset.js';
import { repoPreset, type CheckedPreset } from '../presets/engines/preset-repo.js';
import { Checkout, loadRepo } from './repo.js';

/** How many stale files a report names; the count says the rest. */
export const STALE_NAMED = 5;

export interface Staleness {
  /** Every unedited file that differs from the recorded version's text, sorted. */
  files: string[];
}

/** Unedited files whose text is not what `rendered` (the recorded version's output) has. */
export function staleFiles(root: string, record: RepoRecord, rendered: ReadonlyMap<string, string>): string[] {
  const checkout = new Checkout(root);
  const stale: string[] = [];
  for (const [path, id] of Object.entries(record.files)) {
    let text: string | undefined;
    try {
      text = checkout.read(path);
    } catch {
      continue; // not a readable file (a directory, no permission): check's own rules report it
    }
    const now = rendered.get(path);
    if (text === undefined || now === undefined || hashContent(text) !== id) continue;
    if (hashContent(now) !== id) stale.push(path);
  }
  return stale.sort();
}

/**
 * Staleness measured against this generator's own templates, when the record names this
 * version (no other release is needed to know what it writes); undefined for other versions.
 * Undefined, too, when the repo's preset cannot be loaded, or its locks refuse the record.
 * `loaded`: the preset as check loaded it already (fleet check), instead of loading it again.
 */
export function staleAgainstThisVersion(start: string, loaded?: CheckedPreset): Staleness | undefined {
  const { root, record, answers } = loadRepo(start);
  if (record.version !== GENERATOR_VERSION) return undefined;
  if (loaded && (loaded.loadError !== undefined || loaded.locks.length > 0)) return undefined;
  try {
    // What this version writes for the repo includes its preset's files and patches.
    const preset = loaded ? loaded.active : repoPreset(root);
    const rendered = new Map(renderAll(withPreset(answers, preset)).map((f) => [f.path, f.content]));
    return { files: staleFiles(root, record, rendered) };
  } catch (err) {
    // A preset that cannot be loaded: check and update say so; staleness cannot be told.
    if (err instanceof PresetError) return undefined;
    throw err;
  }
}

/** "Makefile, Dockerfile and 31 more" */
export function nameSome(files: readonly string[]): string {
  const named = files.slice(0, STALE_NAMED).join(', ');
  return files.length > STALE_NAMED ? `${named} and ${files.length - STALE_NAMED} more` : named;
}
