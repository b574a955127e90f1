// The file plan regen, update and remove share: one decision per file from four texts (the
// file now, the recorded blob id, the generated text, the merge base), and the bookkeeping
// that follows from the decisions (record entries, writes, deletes, "removed").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decide,
  makePlan,
  needsBase,
  summarize,
  type Action,
  type Decision,
  type FileCase,
  type FileRules,
} from '../../generators/engines/file-plan.js';
import { Checkout } from '../../generators/engines/repo.js';
import { asidePath, hashContent, makeRecord, RECORD_FILE, serializeRecord } from '../../generators/model/record.js';
import { answersFor } from '../support/generate.js';

// Three lines the generator wrote (BASE), the same file edited on its first line (EDITED),
// the generator's new version changing its last line (NEW), and an edit of that same line (CLASH).
const BASE = 'one\ntwo\nthree\nfour\nfive\n';
const EDITED = 'ONE (ours)\ntwo\nthree\nfour\nfive\n';
const NEW = 'one\ntwo\nthree\nfour\nFIVE (theirs)\n';
const CLASH = 'one\ntwo\nthree\nfour\nfive (ours)\n';
const id = hashContent;

interface Row {
  name: string;
  c: Omit<FileCase, 'path'>;
  rules?: Partial<FileRules>;
  action: Action | undefined;
  record?: Decision['record'];
  /** What is written (at the path, or aside for new-aside). */
  write?: string | RegExp;
  reason?: RegExp;
}

const rows: Row[] = [
  // No longer generated.
  { name: 'not generated, not there', c: { recorded: id(BASE) }, action: undefined },
  {
    name: 'not generated, still as generated',
    c: { current: BASE, recorded: id(BASE) },
    action: 'delete',
    record: 'drop',
    reason: /^no longer generated$/,
  },
  {
    name: 'not generated, edited',
    c: { current: EDITED, recorded: id(BASE) },
    action: 'kept',
    record: 'drop',
    reason: /delete it yourself/,
  },
  {
    name: 'not generated, edited, deleteEdited (remove --force)',
    c: { current: EDITED, recorded: id(BASE) },
    rules: { deleteEdited: true },
    action: 'delete',
    record: 'drop',
  },
  { name: 'not generated, no record entry', c: { current: EDITED }, action: 'kept', record: 'drop' },
  // Removed on purpose.
  {
    name: 'removed on purpose',
    c: { generated: NEW },
    rules: { removedOnPurpose: true },
    action: 'removed',
    record: 'as-is',
    reason: /regen f\.txt` brings it back/,
  },
  {
    name: 'removed on purpose, named: comes back',
    c: { generated: NEW },
    rules: { removedOnPurpose: true, named: true },
    action: 'create',
    record: 'generated',
    write: NEW,
  },
  // Not there.
  {
    name: 'deleted by the user',
    c: { recorded: id(BASE), generated: NEW },
    action: 'missing',
    record: 'as-is',
    reason: /regen f\.txt` recreates it/,
  },
  {
    name: 'deleted by the user, named',
    c: { recorded: id(BASE), generated: NEW },
    rules: { named: true },
    action: 'create',
    record: 'generated',
    write: NEW,
  },
  { name: 'new file', c: { generated: NEW }, action: 'create', record: 'generated', write: NEW },
  // There.
  { name: 'already as generated', c: { current: NEW, recorded: id(BASE), generated: NEW }, action: 'unchanged', record: 'generated' },
  { name: 'already as generated, no record entry', c: { current: NEW, generated: NEW }, action: 'unchanged', record: 'generated' },
  {
    name: 'written once, differs',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { once: true, edited: 'overwrite' },
    action: 'kept',
    record: 'as-is',
    reason: /written once/,
  },
  {
    name: 'written once, not edited, differs',
    c: { current: BASE, recorded: id(BASE), generated: NEW },
    rules: { once: true },
    action: 'kept',
    record: 'as-is',
  },
  { name: 'not edited', c: { current: BASE, recorded: id(BASE), generated: NEW }, action: 'update', record: 'generated', write: NEW },
  // Edited since generated: the policy decides.
  {
    name: 'edited, unresolved',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { edited: 'unresolved' },
    action: 'conflict',
    record: 'as-is',
  },
  {
    name: 'edited, overwrite',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { edited: 'overwrite' },
    action: 'update',
    record: 'generated',
    write: NEW,
    reason: /^edited; overwritten$/,
  },
  {
    name: 'edited, keep',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { edited: 'keep' },
    action: 'kept',
    record: 'as-is',
  },
  {
    name: 'edited, aside',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { edited: 'aside' },
    action: 'new-aside',
    record: 'as-is',
    write: NEW,
  },
  {
    name: 'edited, no record entry, unresolved',
    c: { current: EDITED, generated: NEW },
    rules: { edited: 'unresolved' },
    action: 'conflict',
    record: 'as-is',
  },
  {
    name: 'edited, nothing new from the generator (update)',
    c: { current: EDITED, recorded: id(BASE), generated: BASE },
    rules: { keepWhenNothingNew: true },
    action: 'kept',
    record: 'as-is',
  },
  {
    name: 'edited, nothing new, without keepWhenNothingNew (regen)',
    c: { current: EDITED, recorded: id(BASE), generated: BASE },
    rules: { edited: 'unresolved' },
    action: 'conflict',
  },
  // Edited, merged.
  {
    name: 'merge, base found, apart',
    c: { current: EDITED, recorded: id(BASE), generated: NEW, base: BASE },
    action: 'merged',
    record: 'generated',
    write: 'ONE (ours)\ntwo\nthree\nfour\nFIVE (theirs)\n',
  },
  {
    name: 'merge, base found, same line',
    c: { current: CLASH, recorded: id(BASE), generated: NEW, base: BASE },
    action: 'merge-conflict',
    record: 'generated',
    write: /^<<<<<<< ours\nfive \(ours\)\n=======\nFIVE \(theirs\)\n>>>>>>> theirs\n$/m,
    reason: /^1 conflicting hunk/,
  },
  {
    name: 'merge, no base',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    action: 'new-aside',
    record: 'as-is',
    write: NEW,
    reason: /^no merge base: gone; generated version in \.go-k8s-service\/new\/f\.txt$/,
  },
  {
    name: 'merge, no base, asideBecomesBase (update)',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { asideBecomesBase: true },
    action: 'new-aside',
    record: 'generated',
    write: NEW,
  },
  {
    name: 'merge, no base, markNoBase (update --bot)',
    c: { current: EDITED, recorded: id(BASE), generated: NEW },
    rules: { markNoBase: true },
    action: 'merge-conflict',
    record: 'generated',
    write: /^<<<<<<< ours\nONE \(ours\)\n=======\none\n>>>>>>> theirs\n/,
    reason: /^no merge base \(gone\)/,
  },
  {
    name: 'merge, no record entry',
    c: { current: EDITED, generated: NEW },
    action: 'new-aside',
    record: 'as-is',
    write: NEW,
    reason: /the record has no entry for it/,
  },
];

for (const row of rows) {
  test(`decide: ${row.name} → ${row.action ?? 'nothing'}`, async () => {
    const rules: FileRules = { edited: 'merge', whyNoBase: () => 'gone', ...row.rules };
    const d = await decide({ path: 'f.txt', ...row.c }, rules);
    assert.is(d?.action, row.action);
    if (!d) return;
    if (row.record) assert.is(d.record, row.record, 'record');
    if (row.write === undefined) assert.is(d.write, undefined, 'writes nothing');
    else if (typeof row.write === 'string') assert.is(d.write, row.write);
    else assert.match(d.write ?? '', row.write);
    if (row.reason) assert.match(d.reason ?? '', row.reason);
    // A base is needed exactly when the file, were edited files merged, would be merged by its recorded id.
    const merged = await decide({ path: 'f.txt', ...row.c }, { ...rules, edited: 'merge' });
    const merges = ['merged', 'merge-conflict', 'new-aside'].includes(merged?.action ?? '') && row.c.recorded !== undefined;
    assert.is(needsBase({ path: 'f.txt', ...row.c }, rules), merges, 'needsBase');
  });
}

test('makePlan: writes, deletes, record entries and "removed" follow the decisions', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgks-plan-'));
  const answers = answersFor({ name: 'orders' });
  const files = { 'a.txt': BASE, 'b.txt': EDITED, 'c.txt': BASE, 'd.txt': EDITED };
  for (const [p, t] of Object.entries(files)) writeFileSync(join(root, p), t);
  const record = makeRecord(
    answers,
    '0.4.0',
    { 'a.txt': id(BASE), 'b.txt': id(BASE), 'c.txt': id(BASE), 'd.txt': id(BASE), 'gone.txt': id(BASE) },
    ['e.txt', 'f.txt'],
  );
  writeFileSync(join(root, RECORD_FILE), serializeRecord(record));
  const checkout = new Checkout(root);
  const rules: FileRules = { edited: 'aside' };
  const cases: FileCase[] = [
    { path: 'a.txt', current: BASE, recorded: id(BASE), generated: NEW }, // update
    { path: 'b.txt', current: EDITED, recorded: id(BASE), generated: NEW }, // aside
    { path: 'c.txt', current: BASE, recorded: id(BASE) }, // delete
    { path: 'd.txt', current: EDITED, recorded: id(BASE) }, // kept, forgotten
    { path: 'gone.txt', recorded: id(BASE) }, // nothing, forgotten
    { path: 'e.txt', generated: NEW }, // removed on purpose
  ];
  const decided = [];
  for (const c of cases) decided.push({ case: c, decision: await decide(c, { ...rules, removedOnPurpose: c.path === 'e.txt' }) });
  decided.push({
    case: { path: 'f.txt', generated: NEW } as FileCase,
    decision: await decide({ path: 'f.txt', generated: NEW }, { ...rules, removedOnPurpose: true, named: true }),
  });
  const plan = makePlan(checkout, record, decided, { answers, version: '0.4.0', removed: record.removed! });

  assert.equal(
    plan.files.map((f) => `${f.action} ${f.path}`),
    ['update a.txt', 'new-aside b.txt', 'delete c.txt', 'kept d.txt', 'removed e.txt', 'create f.txt'],
  );
  assert.equal(
    plan.writes.map((w) => w.path),
    ['a.txt', asidePath('b.txt'), 'f.txt', RECORD_FILE],
  );
  assert.equal(plan.deletes, ['c.txt']);
  assert.equal(plan.record.files, { 'a.txt': id(NEW), 'b.txt': id(BASE), 'f.txt': id(NEW) });
  assert.equal(plan.record.removed, ['e.txt'], 'f.txt came back by name');
  assert.ok(plan.recordChanged);
  assert.equal([...plan.generated.keys()], [id(NEW)], 'the new text, once');
  const diffable = plan.files.find((f) => f.path === 'a.txt')!;
  assert.equal([diffable.before, diffable.after], [BASE, NEW]);
  assert.is(
    summarize(plan.files, true),
    '1 updated, 1 created, 1 deleted, 0 unchanged, 3 kept, 1 with the generated version aside (dry run: nothing written)',
  );
});

test('makePlan: nothing changed, nothing written (the record included)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgks-plan-'));
  const answers = answersFor({ name: 'orders' });
  writeFileSync(join(root, 'a.txt'), NEW);
  const record = makeRecord(answers, '0.4.0', { 'a.txt': id(NEW) });
  writeFileSync(join(root, RECORD_FILE), serializeRecord(record));
  const c: FileCase = { path: 'a.txt', current: NEW, recorded: id(NEW), generated: NEW };
  const plan = makePlan(new Checkout(root), record, [{ case: c, decision: await decide(c, { edited: 'unresolved' }) }], {
    answers,
    version: '0.4.0',
    removed: [],
  });
  assert.equal([plan.writes, plan.deletes, plan.recordChanged, plan.generated.size], [[], [], false, 0]);
});

test.run();
