// The Markdown summary of an update, for a pull request body: the versions, what happened to
// each file (grouped), and the template changelog between the two versions (from the
// CHANGELOG.md this package ships).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASIDE_DIR, compareVersions, GENERATOR_NAME } from '../model/record.js';
import type { Action } from '../engines/file-plan.js';
import type { UpdateReport } from '../engines/update.js';

/** This package's CHANGELOG.md (beside dist/ in the package, at the root of a checkout), if there. */
export function shippedChangelog(): string | undefined {
  // dist/program.cjs in the package; generators/cli/ in a checkout.
  for (const rel of ['../CHANGELOG.md', '../../CHANGELOG.md']) {
    try {
      return readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The changelog's entries (`## <version> …` sections) newer than `from`, up to and including `to`. */
export function changelogBetween(changelog: string, from: string, to: string): string[] {
  const sections = changelog.split(/^(?=## )/m).filter((s) => s.startsWith('## '));
  return sections
    .filter((s) => {
      const version = /^## v?(\S+)/.exec(s)![1]!;
      return compareVersions(version, from) > 0 && compareVersions(version, to) <= 0;
    })
    .map((s) => s.trim());
}

const GROUPS: [Action, string][] = [
  ['merge-conflict', 'In conflict: resolve the conflict markers before merging'],
  ['new-aside', `Without a merge base: the new version is in ${ASIDE_DIR}/, merge it by hand`],
  ['merged', 'Merged: your edits and the new version combined'],
  ['update', 'Updated: not edited, replaced by the new version'],
  ['kept', 'Kept: edited, and nothing new from the generator'],
  ['create', 'Added: new in this version'],
  ['delete', 'Removed: no longer generated'],
  ['missing', 'Missing: deleted in this repo, not recreated'],
];

/** Reasons the group's title already gives. */
const SAID_BY_TITLE = new Set([
  'your edits and the generated change merged',
  'your edits; nothing new from the generator',
  'no longer generated',
]);

const COUNTS: [Action, string][] = [
  ['update', 'updated'],
  ['merged', 'merged'],
  ['merge-conflict', 'in conflict'],
  ['kept', 'kept'],
  ['create', 'added'],
  ['delete', 'removed'],
];

/** A preset's versions when update took a newer one (--preset). */
export interface PresetChange {
  name: string;
  fromVersion: string;
  toVersion: string;
}

export function updateSummary(report: UpdateReport, changelog: string | undefined, preset?: PresetChange): string {
  const count = (a: Action) => report.files.filter((f) => f.action === a).length;
  const presetPart = preset ? `, preset ${preset.name} ${preset.fromVersion} → ${preset.toVersion}` : '';
  const lines = [`## ${GENERATOR_NAME} ${report.fromVersion} → ${report.toVersion}${presetPart}`, ''];
  const attention = count('merge-conflict') + count('new-aside');
  lines.push(attention > 0 ? `**${attention} file(s) need a reviewer's merge** (listed first).` : 'Every file updated cleanly.', '');
  lines.push(
    `| ${COUNTS.map(([, l]) => l).join(' | ')} |`,
    `|${COUNTS.map(() => '---:|').join('')}`,
    `| ${COUNTS.map(([a]) => count(a)).join(' | ')} |`,
    '',
  );
  for (const [action, title] of GROUPS) {
    const files = report.files.filter((f) => f.action === action);
    if (files.length === 0) continue;
    lines.push(`### ${title}`, '');
    for (const f of files) lines.push(`- \`${f.path}\`${f.reason && !SAID_BY_TITLE.has(f.reason) ? `: ${f.reason}` : ''}`);
    lines.push('');
  }
  for (const w of report.warnings) lines.push(`> Note: ${w}`, '');
  lines.push(`### Changelog ${report.fromVersion} → ${report.toVersion}`, '');
  const entries = changelog === undefined ? undefined : changelogBetween(changelog, report.fromVersion, report.toVersion);
  if (entries === undefined) lines.push(`No changelog: this package has no CHANGELOG.md.`);
  else if (entries.length === 0) lines.push('No changelog entries between these versions.');
  // One heading level down, under this summary's own.
  else lines.push(entries.join('\n\n').replace(/^(#+) /gm, '$1## '));
  return lines.join('\n').replace(/\n*$/, '\n');
}
