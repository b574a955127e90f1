// Migrations between versions: what a release changes about where files are, applied by update to
// the team's files before merging, so that a move keeps the team's edits at the new path instead
// of turning into a delete plus a create. A release adds its entry here when it moves a generated
// file; update applies every entry after the recorded version, up to and including its own.
import { compareVersions } from '../model/record.js';

export interface FileMove {
  from: string;
  to: string;
}

export interface Migration {
  /** The release that made the change. */
  version: string;
  moves: FileMove[];
}

/** Every release's migrations, oldest first (none so far: no release has moved a generated file). */
export const MIGRATIONS: readonly Migration[] = [];

/** The moves from `from` (exclusive) to `to` (inclusive), in release order, chained (a → b → c is a → c). */
export function movesBetween(migrations: readonly Migration[], from: string, to: string): (FileMove & { version: string })[] {
  const due = [...migrations]
    .filter((m) => compareVersions(m.version, from) > 0 && compareVersions(m.version, to) <= 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  const out: (FileMove & { version: string })[] = [];
  for (const m of due) {
    for (const move of m.moves) {
      const earlier = out.find((o) => o.to === move.from);
      if (earlier) earlier.to = move.to;
      else out.push({ ...move, version: m.version });
    }
  }
  return out;
}
