// The preset of an existing repo: the one its record names (loaded again from the recorded
// source), or the one --preset gives instead (update: a newer version of it). regen, update
// and check pass it on with the repo's answers.
import { readFileSync } from 'node:fs';
import { CommandFailed } from '../../plumbing/errors.js';
import { join } from 'node:path';
import { loadPreset, resolvePresetAnswers } from './preset-load.js';
import { presetMessage, PresetError, type ActivePreset, type Preset } from '../model/preset.js';
import { parseRecord, RECORD_FILE, type RepoRecord } from '../../model/record.js';
import { findRepoRoot } from '../../engines/repo.js';

/** regen writes the preset version the repo was made with: another one is a refusal (update takes it). */
export class PresetVersionRefused extends CommandFailed {}

/** An answer of the record that a lock of the preset contradicts. */
export interface BrokenLock {
  key: string;
  recorded: unknown;
  locked: unknown;
}

export interface RepoPresetOptions {
  /** --preset: load this one instead of the recorded one. */
  override?: string;
  /** regen: the loaded preset must be the recorded version. */
  sameVersion?: boolean;
  /** check: report a record that contradicts a lock (else it is refused: PresetError). */
  reportLocks?: (broken: BrokenLock[]) => void;
}

/** The repo's preset (or none) with its recorded answers; PresetError when it cannot be loaded. */
export function repoPreset(start: string, opts: RepoPresetOptions = {}): ActivePreset | undefined {
  let root: string;
  let record: RepoRecord;
  try {
    root = findRepoRoot(start);
    record = parseRecord(readFileSync(join(root, RECORD_FILE), 'utf8'));
  } catch {
    // The command itself says what is wrong with the repo.
    return undefined;
  }
  const recorded = record.preset;
  if (!recorded && opts.override === undefined) return undefined;
  const preset =
    opts.override !== undefined
      ? loadPreset(opts.override, { cwd: process.cwd(), repoRoot: root })
      : loadPreset(recorded!.source, { cwd: root, repoRoot: root });
  if (opts.sameVersion && recorded && (preset.name !== recorded.name || preset.version !== recorded.version)) {
    throw new PresetVersionRefused(
      `this repo was made with preset ${recorded.name} ${recorded.version} and ${opts.override ?? recorded.source} is ${preset.name} ${preset.version}: ` +
        `run \`create-go-k8s-service update${opts.override ? ` --preset ${opts.override}` : ''}\` first (it merges the preset's changes into your files), or point --preset at ${recorded.name} ${recorded.version}; nothing was written`,
    );
  }
  const broken = brokenLocks(preset, record.answers);
  if (broken.length > 0) {
    if (!opts.reportLocks) {
      const { key, recorded: was, locked } = broken[0]!;
      throw new PresetError(
        presetMessage(
          preset,
          `${RECORD_FILE} answers ${key} ${show(was)}, but this preset locks ${key} to ${show(locked)}: set it back to ${show(locked)} in ${RECORD_FILE}`,
        ),
      );
    }
    opts.reportLocks(broken);
  }
  const answers = recordedAnswers(preset, recorded?.answers ?? {});
  return { preset, answers };
}

/** A repo's preset as check loads it: its lock breaks reported rather than refused, or why it did not load. */
export interface CheckedPreset {
  active?: ActivePreset;
  loadError?: string;
  locks: BrokenLock[];
}

export function loadCheckedPreset(start: string): CheckedPreset {
  let locks: BrokenLock[] = [];
  try {
    const active = repoPreset(start, {
      reportLocks: (broken) => {
        locks = broken;
      },
    });
    return { active, locks };
  } catch (err) {
    if (!(err instanceof PresetError)) throw err;
    return { loadError: err.message, locks };
  }
}

const show = (v: unknown) => JSON.stringify(v);

/** Locks are checked wherever answers come from: flags, answers files, and here, the record. */
export function brokenLocks(preset: Preset, answers: object): BrokenLock[] {
  const given = answers as Record<string, unknown>;
  return preset.locked.flatMap((key) => {
    const d = preset.defaults[key];
    let locked: unknown;
    try {
      locked = typeof d === 'function' ? d(given) : d;
    } catch (err) {
      throw new PresetError(presetMessage(preset, `defaults.${key}: ${(err as Error).message.split('\n')[0]}`));
    }
    const recorded = given[key];
    // Record values are typed (8080), rendered defaults are text ("8080").
    return recorded === undefined || String(recorded) === String(locked)
      ? []
      : [{ key, recorded, locked: typeof recorded === 'number' ? Number(locked) : locked }];
  });
}

/** The record's answers to the preset's questions; a newer preset's new questions take their defaults. */
function recordedAnswers(preset: Preset, recorded: Record<string, unknown>): ActivePreset['answers'] {
  // Answers to questions a newer version no longer asks are dropped.
  const given = Object.fromEntries(Object.entries(recorded).filter(([k]) => preset.questions.some((q) => q.key === k)));
  const { answers, missing } = resolvePresetAnswers(preset, given, {
    useDefaults: true,
    origin: (k) => `recorded answer ${k} in ${RECORD_FILE}`,
  });
  if (missing.length > 0) {
    throw new PresetError(
      presetMessage(preset, `asks ${missing.map((q) => q.key).join(', ')}, which ${RECORD_FILE} does not answer and which has no default`),
    );
  }
  return answers;
}
