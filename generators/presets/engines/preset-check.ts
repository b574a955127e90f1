// check with a preset: the repo's recorded preset is loaded, so the record's file list
// includes the preset's files, and its conventions are checked beside check's own rules.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRepo, type CheckReport, type Rule } from '../../engines/check.js';
import { loadCheckedPreset, type CheckedPreset } from './preset-repo.js';
import { presetPath, type Convention } from '../model/preset.js';
import { RECORD_FILE } from '../../model/record.js';

/** check of one repo with its preset; `loaded`: the preset loaded already (fleet check uses it twice). */
export function checkWithPreset(start: string, loaded: CheckedPreset = loadCheckedPreset(start)): CheckReport {
  const { active, loadError, locks } = loaded;
  const report = checkRepo(start, active);
  if (loadError) report.violations.push({ rule: 'record', file: RECORD_FILE, message: `${loadError}; its conventions were not checked` });
  if (active) {
    const { preset } = active;
    const who = `${preset.name} ${preset.version}`;
    for (const b of locks) {
      report.violations.push({
        rule: 'preset-lock',
        file: RECORD_FILE,
        message: `${b.key} is ${JSON.stringify(b.recorded)}, but preset ${who} locks it to ${JSON.stringify(b.locked)}`,
      });
    }
    report.presetRules = preset.conventions.map((c) => c.id);
    report.presetRuleDescriptions = Object.fromEntries(preset.conventions.map((c) => [c.id, c.message]));
    if (preset.waivers) report.waiverPolicy = { preset: who, ...preset.waivers };
    const serviceName = readName(report.root);
    for (const c of preset.conventions) {
      const v = conventionViolation(report.root, c, serviceName);
      if (v) report.violations.push(v);
    }
  }
  report.ok = report.violations.length === 0;
  return report;
}

function readName(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, RECORD_FILE), 'utf8')) as { answers?: { name?: string } }).answers?.name;
  } catch {
    return undefined;
  }
}

/**
 * One convention on one repo: the file must match `require` (or must not match `forbid`).
 * Reported under the convention's own id, like check's rules (ids cannot collide: preset-load.ts).
 */
function conventionViolation(root: string, c: Convention, name: string | undefined): CheckReport['violations'][number] | undefined {
  const file = presetPath(c.file, name ?? '<name>');
  const abs = join(root, file);
  if (!existsSync(abs)) return c.require ? { rule: c.id as Rule, file, message: `${file} is missing: ${c.message}` } : undefined;
  const text = readFileSync(abs, 'utf8').replace(/\r\n/g, '\n');
  if (c.require && !c.require.test(text)) return { rule: c.id as Rule, file, message: c.message };
  if (c.forbid) {
    const m = c.forbid.exec(text);
    if (m) return { rule: c.id as Rule, file, message: c.message, line: text.slice(0, m.index).split('\n').length };
  }
  return undefined;
}
