// Hostile and odd input, case by case: answers files, flags and repo states that a user (or a
// script) gets wrong. Every refusal is one line on stderr naming what is wrong, exit 2 for
// usage and 1 for a refusal, and the tree exactly as before (hashed with modes, .git aside).
// What is accepted is checked for what it means. Runs the bundled CLI, as users do.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LATEST_GO_MINOR } from '../../generators/model/validate.js';
import { runCli } from '../support/cli.js';
import { treeHash } from '../support/tree.js';

const BOM = '\ufeff';
const RECORD = '.go-k8s-service.json';

interface Hostile {
  title: string;
  /** Files put into the working directory first (path → text or bytes). */
  files?: Record<string, string | Buffer>;
  /** Run inside a copy of a generated repo (committed), after this change to it. */
  repo?: (dir: string) => void;
  args: string[];
  exit: 1 | 2;
  line: RegExp;
}

const editRecord = (dir: string, change: (r: Record<string, any>) => void) => {
  const r = JSON.parse(readFileSync(join(dir, RECORD), 'utf8'));
  change(r);
  writeFileSync(join(dir, RECORD), JSON.stringify(r, null, 2) + '\n');
};
const CREATE = ['svc', '--yes', '--no-git', '--no-install'];
const UNKNOWN_KEY = (key: string) =>
  new RegExp(`^error: --answers: unknown key ${key.replace(/[[\]()*+?.\\^$|{}]/g, '\\$&')} in a\\.(json|yaml)`);

const CASES: Hostile[] = [
  // ---- answers files (issue #30 item 7, then more of the same kind)
  {
    title: 'a JSON key given twice',
    files: { 'a.json': '{"name": "orders", "port": 8080, "name": "other"}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: the key "name" is given twice \(line 1, column 34\)$/,
  },
  {
    title: 'a JSON key given twice, once escaped',
    files: { 'a.json': '{"port": 8080, "p\\u006frt": 9090}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: the key "port" is given twice/,
  },
  {
    title: 'a JSON key given twice under its two names',
    files: { 'a.json': '{"goVersion": "1.26", "go-version": "1.25"}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: goVersion is given twice in a\.json$/,
  },
  {
    title: 'a YAML key given twice',
    files: { 'a.yaml': 'port: 8080\nport: 9090\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not valid YAML: the key "port" is given twice \(line 2, column 1\)$/,
  },
  {
    title: 'a JSON file with a byte order mark and a syntax error names the error, not the mark',
    files: { 'a.json': `${BOM}{"port": }` },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: [^\ufeff]*$/,
  },
  {
    title: '!!js/function: one line, no warning from Node',
    files: { 'a.yaml': 'name: !!js/function "function () { return 1 }"\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml line 1: the tag !!js\/function is not allowed: answers are plain values$/,
  },
  {
    title: 'a local tag',
    files: { 'a.yaml': 'port: !port 8080\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml line 1: the tag !port is not allowed: answers are plain values$/,
  },
  {
    title: 'a merge key whose source is not a map',
    files: { 'a.yaml': '<<: 5\nname: orders\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not valid YAML: merge sources must be maps or map aliases$/,
  },
  {
    title: 'a merge key bringing an unknown key',
    files: { 'a.yaml': '<<: {prot: 9090}\nname: orders\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: UNKNOWN_KEY('"prot"'),
  },
  {
    title: 'metrics: OFF (only lowercase words)',
    files: { 'a.yaml': 'metrics: OFF\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --metrics: "OFF" must be true or false \(or yes\/no, on\/off\) \(in a\.yaml\)$/,
  },
  {
    title: 'a key that is a list',
    files: { 'a.yaml': '? [a, b]\n: c\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml line 1: keys must be plain names, not lists or maps$/,
  },
  {
    title: 'two YAML documents',
    files: { 'a.yaml': 'name: a\n---\nname: b\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml holds more than one YAML document \(line 2\): put every answer in one$/,
  },
  {
    title: 'a YAML alias bomb',
    files: {
      'a.yaml':
        'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
    },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not valid YAML: excessive alias count/i,
  },
  {
    title: 'a UTF-16 file',
    files: { 'a.yaml': Buffer.from('\ufeffname: orders\n', 'utf16le') },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is UTF-16 text: save it as UTF-8$/,
  },
  {
    title: 'bytes that are not UTF-8',
    files: { 'a.yaml': Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not UTF-8 text \(a bad byte at line 1, column 7\): save it as UTF-8$/,
  },
  {
    title: 'a NUL byte in a YAML file',
    files: { 'a.yaml': 'name: or\u0000ders\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not valid YAML: /,
  },
  {
    title: 'tabs as YAML indentation',
    files: { 'a.yaml': 'name: x\n\tport: 1\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml is not valid YAML: tabs are not allowed as indentation \(line 2, column 1\)$/,
  },
  {
    title: 'an empty YAML file',
    files: { 'a.yaml': '' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml must hold an object of answers/,
  },
  {
    title: 'a YAML list',
    files: { 'a.yaml': '- name: orders\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: a\.yaml must hold an object of answers/,
  },
  {
    title: 'a JSON string',
    files: { 'a.json': '"orders"' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json must hold an object of answers/,
  },
  {
    title: 'a JSON trailing comma',
    files: { 'a.json': '{"name": "orders",}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: /,
  },
  {
    title: 'JSON with a comment',
    files: { 'a.json': '// answers\n{"name": "orders"}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: /,
  },
  {
    title: 'a __proto__ key',
    files: { 'a.json': '{"__proto__": {"name": "x"}}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: UNKNOWN_KEY('"__proto__"'),
  },
  {
    title: 'a constructor key',
    files: { 'a.yaml': 'constructor: x\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: UNKNOWN_KEY('"constructor"'),
  },
  {
    title: 'a key with a terminal escape',
    files: { 'a.json': '{"\\u001b[2Jname": "x"}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: unknown key "\\u001b\[2Jname" in a\.json/,
  },
  {
    title: 'a key in another case',
    files: { 'a.yaml': 'Name: orders\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: UNKNOWN_KEY('"Name"'),
  },
  {
    title: 'a preset answer without a preset',
    files: { 'a.yaml': 'team: payments\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: UNKNOWN_KEY('"team"'),
  },
  {
    title: 'a record whose answers are null',
    files: { 'a.json': '{"generator": "create-go-k8s-service", "answers": null}' },
    args: [...CREATE, '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json must hold an object of answers/,
  },
  {
    title: 'an answers file that is a directory',
    files: { 'a.yaml/x': '' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --answers: cannot read a\.yaml: EISDIR$/,
  },
  {
    title: 'an answers file that does not exist',
    args: [...CREATE, '--answers', 'nope.yaml'],
    exit: 2,
    line: /^error: --answers: cannot read nope\.yaml: ENOENT$/,
  },
  {
    title: 'a port as a decimal string',
    files: { 'a.yaml': 'port: "8080.0"\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --port: "8080\.0" must be an integer from 1024 to 65535 \(the container runs without privileges\) \(in a\.yaml\)$/,
  },
  {
    title: 'a go-version YAML reads as a number',
    files: { 'a.yaml': 'go-version: 1.30\n' },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: /^error: --go-version: 1\.3 must be a string \(quote it in an answers file\)/,
  },
  {
    title: 'an unreleased Go in an answers file',
    files: { 'a.yaml': `go-version: "1.${LATEST_GO_MINOR + 1}"\n` },
    args: [...CREATE, '--answers', 'a.yaml'],
    exit: 2,
    line: new RegExp(
      `^error: --go-version: "1\\.${LATEST_GO_MINOR + 1}" is not a released Go version \\(the newest this generator knows is 1\\.${LATEST_GO_MINOR}`,
    ),
  },

  // ---- flags (items 6, 8, 13, then more)
  {
    title: "--preset ''",
    args: [...CREATE, '--preset', ''],
    exit: 2,
    line: /^error: --preset: the value is empty \(""\): name a folder or a package$/,
  },
  {
    title: '--preset= (empty after =)',
    args: [...CREATE, '--preset='],
    exit: 2,
    line: /^error: --preset: the value is empty \(""\): name a folder or a package$/,
  },
  {
    title: "--answers ''",
    args: [...CREATE, '--answers', ''],
    exit: 2,
    line: /^error: --answers: the value is empty \(""\): name a file$/,
  },
  {
    title: "--gitops-repo-starter ''",
    args: [...CREATE, '--deploy', 'gitops', '--gitops-repo-starter', ''],
    exit: 2,
    line: /^error: --gitops-repo-starter: the value is empty \(""\): name a directory$/,
  },
  {
    title: '--go-version of an unreleased Go',
    args: [...CREATE, '--go-version', `1.${LATEST_GO_MINOR + 1}`],
    exit: 2,
    line: new RegExp(
      `^error: --go-version: "1\\.${LATEST_GO_MINOR + 1}" is not a released Go version \\(the newest this generator knows is 1\\.${LATEST_GO_MINOR}, and a newer local Go counts too\\)$`,
    ),
  },
  {
    title: '--go-version 1.99',
    args: [...CREATE, '--go-version', '1.99'],
    exit: 2,
    line: /^error: --go-version: "1\.99" is not a released Go version/,
  },
  {
    title: '--port=-1 names the range',
    args: [...CREATE, '--port=-1'],
    exit: 2,
    line: /^error: --port: "-1" must be an integer from 1024 to 65535 \(the container runs without privileges\)$/,
  },
  {
    title: '--port 8080.5 names the range',
    args: [...CREATE, '--port', '8080.5'],
    exit: 2,
    line: /^error: --port: "8080\.5" must be an integer from 1024 to 65535/,
  },
  {
    title: '--yes without a directory or a name',
    args: ['--yes', '--no-git', '--no-install'],
    exit: 2,
    line: /^error: missing --name, which has no default: pass --name <name>, or a directory to take it from \(create-go-k8s-service <directory> --yes\)$/,
  },
  {
    title: 'a value flag given twice',
    args: [...CREATE, '--port', '8080', '--port', '9090'],
    exit: 2,
    line: /^error: --port is given twice \("8080", "9090"\): pass it once$/,
  },
  {
    title: 'a value flag given twice, once with =',
    args: [...CREATE, '--image=a', '--image', 'b'],
    exit: 2,
    line: /^error: --image is given twice \("a", "b"\): pass it once$/,
  },
  {
    title: '--answers given twice',
    files: { 'a.yaml': 'port: 8080\n', 'b.yaml': 'port: 9090\n' },
    args: [...CREATE, '--answers', 'a.yaml', '--answers', 'b.yaml'],
    exit: 2,
    line: /^error: --answers is given twice \("a\.yaml", "b\.yaml"\): pass it once$/,
  },
  {
    title: 'a boolean flag with a value',
    args: [...CREATE, '--metrics=no'],
    exit: 2,
    line: /^error: --metrics takes no value: write --metrics or --no-metrics$/,
  },
  {
    title: '--metrics and --no-metrics',
    args: [...CREATE, '--metrics', '--no-metrics'],
    exit: 2,
    line: /^error: --metrics and --no-metrics contradict each other$/,
  },
  {
    title: 'a mistyped flag',
    args: [...CREATE, '--prot', '8080'],
    exit: 2,
    line: /^error: unknown flag --prot \(did you mean --port\?\); see --help$/,
  },
  { title: 'an unknown short flag', args: [...CREATE, '-x'], exit: 2, line: /^error: unknown flag -x; see --help$/ },
  { title: 'two directories', args: ['a', 'b', '--yes'], exit: 2, line: /^error: expected at most one target directory, got 2: a b$/ },
  { title: 'an empty directory argument', args: ['', '--yes'], exit: 2, line: /^error: the target directory is empty \(""\)/ },
  {
    title: 'a command word as the directory',
    args: ['--name', 'x', 'regen', '--yes'],
    exit: 2,
    line: /^error: regen is a command and comes first/,
  },
  { title: 'a mistyped command', args: ['regn'], exit: 2, line: /^error: "regn" is not a command: did you mean regen\?/ },
  {
    title: '--set without --preset',
    args: [...CREATE, '--set', 'team=a'],
    exit: 2,
    line: /^error: --set answers a question of a preset: pass --preset too$/,
  },
  {
    title: '--gitops-repo-starter without --deploy gitops',
    args: [...CREATE, '--gitops-repo-starter', 'env'],
    exit: 2,
    line: /^error: --gitops-repo-starter needs --deploy gitops$/,
  },
  {
    title: 'a flag of another command',
    args: [...CREATE, '--merge'],
    exit: 2,
    line: /^error: --merge does not apply to creating a service; see --help$/,
  },
  {
    title: 'a directory that is a file',
    files: { svc: 'mine\n' },
    args: [...CREATE],
    exit: 1,
    line: /^error: svc is a file, not a directory: choose a new directory$/,
  },
  {
    title: 'a directory that is a file, with --force',
    files: { svc: 'mine\n' },
    args: [...CREATE, '--force'],
    exit: 1,
    line: /^error: svc is a file, not a directory: choose a new directory$/,
  },
  {
    title: 'a non-empty directory',
    files: { 'svc/notes.txt': 'mine\n' },
    args: [...CREATE],
    exit: 1,
    line: /^error: svc is not empty \(notes\.txt\): choose a new directory, or pass --force/,
  },
  {
    title: 'a directory below a file',
    files: { svc: 'mine\n' },
    args: ['svc/inner', '--yes', '--no-git', '--no-install'],
    exit: 1,
    line: /^error: cannot write: ENOTDIR/,
  },

  // ---- odd repo states
  {
    title: "check --sarif ''",
    repo: () => {},
    args: ['check', '--sarif', ''],
    exit: 2,
    line: /^error: --sarif: the value is empty \(""\): name a file, or - for stdout$/,
  },
  {
    title: "check --repos ''",
    repo: () => {},
    args: ['check', '--repos', ''],
    exit: 2,
    line: /^error: --repos: the value is empty \(""\): name a file$/,
  },
  {
    title: "regen --preset ''",
    repo: () => {},
    args: ['regen', 'makefile', '--preset', ''],
    exit: 2,
    line: /^error: --preset: the value is empty/,
  },
  { title: "regen --answers ''", repo: () => {}, args: ['regen', '--answers', ''], exit: 2, line: /^error: --answers: the value is empty/ },
  {
    title: "update --packages ''",
    repo: () => {},
    args: ['update', '--packages', ''],
    exit: 2,
    line: /^error: --packages: the value is empty/,
  },
  {
    title: "update --summary ''",
    repo: () => {},
    args: ['update', '--summary', ''],
    exit: 2,
    line: /^error: --summary: the value is empty/,
  },
  {
    title: 'regen with an answer given twice',
    repo: () => {},
    args: ['regen', '--port', '9090', '--port', '9091'],
    exit: 2,
    line: /^error: --port is given twice/,
  },
  {
    title: 'regen of an unreleased Go',
    repo: () => {},
    args: ['regen', '--go-version', `1.${LATEST_GO_MINOR + 1}`],
    exit: 2,
    line: /^error: --go-version: .* is not a released Go version/,
  },
  {
    title: 'regen --port=-1',
    repo: () => {},
    args: ['regen', '--port=-1'],
    exit: 2,
    line: /^error: --port: "-1" must be an integer from 1024 to 65535/,
  },
  {
    title: 'regen of something unknown',
    repo: () => {},
    args: ['regen', 'nosuch'],
    exit: 2,
    line: /^error: nosuch is neither a generated file nor a group/,
  },
  { title: 'regen --name', repo: () => {}, args: ['regen', '--name', 'other'], exit: 2, line: /^error: --name cannot change in regen/ },
  {
    title: 'regen with two ways to treat edits',
    repo: () => {},
    args: ['regen', 'makefile', '--force', '--merge'],
    exit: 2,
    line: /^error: --force, --skip-modified and --merge each decide/,
  },
  {
    title: 'regen with an answers file holding a duplicate',
    repo: (d) => writeFileSync(join(d, 'a.json'), '{"port": 9090, "port": 9091}'),
    args: ['regen', '--answers', 'a.json'],
    exit: 2,
    line: /^error: --answers: a\.json is not valid JSON: the key "port" is given twice/,
  },
  {
    title: 'regen with an edited file',
    repo: (d) => writeFileSync(join(d, 'Makefile'), 'mine\n'),
    args: ['regen', 'makefile'],
    exit: 1,
    line: /^error: .*Makefile/,
  },
  {
    title: 'a record that is not JSON',
    repo: (d) => writeFileSync(join(d, RECORD), '{'),
    args: ['regen', 'makefile'],
    exit: 1,
    line: /^error: .*\.go-k8s-service\.json is not valid JSON/,
  },
  {
    title: 'a record with a port no container may bind',
    repo: (d) => editRecord(d, (r) => (r.answers.port = 80)),
    args: ['regen', 'makefile'],
    exit: 1,
    line: /^error: .*recorded answer --port: 80 must be an integer from 1024 to 65535/,
  },
  {
    title: 'a record with an unreleased Go',
    repo: (d) => editRecord(d, (r) => (r.answers.goVersion = '1.99')),
    args: ['regen', 'makefile'],
    exit: 1,
    line: /^error: .*recorded answer --go-version: "1\.99" is not a released Go version/,
  },
  {
    title: 'a record made by a newer generator',
    repo: (d) => editRecord(d, (r) => (r.version = '99.0.0')),
    args: ['regen', 'makefile'],
    exit: 1,
    line: /99\.0\.0/,
  },
  {
    title: 'update with uncommitted changes',
    repo: (d) => writeFileSync(join(d, 'go.mod'), readFileSync(join(d, 'go.mod'), 'utf8') + '// mine\n'),
    args: ['update'],
    exit: 1,
    line: /^error: uncommitted changes \(go\.mod\)/,
  },
  { title: 'remove without a file', repo: () => {}, args: ['remove'], exit: 2, line: /^error: name at least one generated file to remove/ },
  {
    title: 'remove of a path outside the repo',
    repo: () => {},
    args: ['remove', '../x'],
    exit: 2,
    line: /^error: \.\.\/x is not a file this generator writes/,
  },
  {
    title: 'remove of an edited file',
    repo: (d) => writeFileSync(join(d, 'compose.yaml'), 'mine\n'),
    args: ['remove', 'compose.yaml'],
    exit: 1,
    line: /^error: compose\.yaml was edited since it was generated; pass --force/,
  },
  {
    title: 'a flag of another command in a repo',
    repo: () => {},
    args: ['update', '--force'],
    exit: 2,
    line: /^error: --force does not apply to the update command/,
  },
  {
    title: 'a record that is a directory',
    repo: (d) => {
      rmSync(join(d, RECORD));
      mkdirSync(join(d, RECORD));
    },
    args: ['regen', 'makefile'],
    exit: 1,
    line: /^error: /,
  },
  {
    title: 'a generated file replaced by a directory',
    repo: (d) => {
      rmSync(join(d, 'Makefile'));
      mkdirSync(join(d, 'Makefile'));
    },
    args: ['regen', 'makefile', '--force'],
    exit: 1,
    line: /^error: /,
  },
];

const root = mkdtempSync(join(tmpdir(), 'cgks-hostile-'));
/** A generated repo, committed, copied for each repo case. */
let template: string;

test.before(async () => {
  template = join(root, 'template', 'orders');
  const r = await runCli([template, '--yes', '--no-install'], {
    env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  });
  assert.is(r.exitCode, 0, r.stderr);
});

test(`at least ${50 + 20} cases`, () => {
  assert.ok(CASES.length >= 70, `${CASES.length} cases`);
  assert.is(new Set(CASES.map((c) => c.title)).size, CASES.length, 'two cases share a title');
});

async function runCase(c: Hostile, i: number): Promise<string[]> {
  const problems: string[] = [];
  const sandbox = join(root, `case-${i}`);
  mkdirSync(sandbox);
  let cwd = sandbox;
  if (c.repo) {
    cwd = join(sandbox, 'orders');
    execFileSync('cp', ['-a', template, cwd]);
    c.repo(cwd);
  }
  for (const [path, content] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), content);
  }
  const before = treeHash(sandbox);
  const r = await runCli(c.args, { cwd, env: { GO_K8S_SERVICE_PACKAGES: join(root, 'no-packages') } });
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const label = `${c.title} (${JSON.stringify(c.args)})`;
  if (r.exitCode !== c.exit) problems.push(`${label}: exit ${r.exitCode}, not ${c.exit}: ${r.stderr.trim()}`);
  if (lines.length !== 1) problems.push(`${label}: ${lines.length} lines on stderr: ${JSON.stringify(lines)}`);
  else if (!c.line.test(lines[0]!)) problems.push(`${label}: ${JSON.stringify(lines[0])} does not match ${c.line}`);
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\ufeff]/.test(r.stderr))
    problems.push(`${label}: raw control or invisible characters in ${JSON.stringify(r.stderr)}`);
  if (treeHash(sandbox) !== before) problems.push(`${label}: the tree changed`);
  chmodSync(sandbox, 0o755);
  if (c.repo) execFileSync('chmod', ['-R', 'u+w', cwd]);
  return problems;
}

test('every hostile case: one line naming the problem, the exit code, the tree unchanged', async () => {
  mkdirSync(join(root, 'no-packages'));
  const problems: string[] = [];
  const queue = CASES.map((c, i) => [c, i] as const);
  await Promise.all(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) problems.push(...(await runCase(...next)));
    }),
  );
  assert.equal(problems, []);
});

// ---- what is accepted, and what it means

interface Accepted {
  title: string;
  file: [string, string | Buffer];
  /** Answers the dry run must report. */
  answers: Record<string, unknown>;
}

const ACCEPTED: Accepted[] = [
  { title: 'a UTF-8 byte order mark on JSON', file: ['a.json', `${BOM}{"port": 9090}`], answers: { port: 9090 } },
  { title: 'a UTF-8 byte order mark on YAML', file: ['a.yaml', `${BOM}port: 9090\n`], answers: { port: 9090 } },
  {
    title: 'a YAML merge key',
    file: ['a.yaml', '<<: {port: 9090, metrics: false}\nimage: ghcr.io/acme/x\n'],
    answers: { port: 9090, metrics: false, image: 'ghcr.io/acme/x' },
  },
  {
    title: 'a YAML merge key from an x- anchor, the key itself ignored',
    file: ['a.yaml', 'x-team: &team {owner: group:payments, system: shop}\n<<: *team\nport: 9090\n'],
    answers: { owner: 'group:payments', system: 'shop', port: 9090 },
  },
  { title: 'keys after a merge win over it', file: ['a.yaml', '<<: {port: 9090}\nport: 9091\n'], answers: { port: 9091 } },
  { title: 'metrics: off and tracing: on', file: ['a.yaml', 'metrics: off\ntracing: on\n'], answers: { metrics: false, tracing: true } },
  {
    title: 'the newest Go this generator knows',
    file: ['a.yaml', `go-version: "1.${LATEST_GO_MINOR}"\n`],
    answers: { goVersion: `1.${LATEST_GO_MINOR}` },
  },
];

for (const a of ACCEPTED) {
  test(`accepted: ${a.title}`, async () => {
    const dir = mkdtempSync(join(root, 'ok-'));
    writeFileSync(join(dir, a.file[0]), a.file[1]);
    const r = await runCli(['svc', '--yes', '--dry-run', '--json', '--answers', a.file[0]], { cwd: dir });
    assert.is(r.exitCode, 0, r.stderr);
    assert.not.match(r.stderr, /Warning|\(node:/);
    const got = JSON.parse(r.stdout).answers as Record<string, unknown>;
    for (const [k, v] of Object.entries(a.answers)) assert.is(got[k], v, k);
  });
}

test('a tmp in the repo that links elsewhere is not written through', async () => {
  const sandbox = mkdtempSync(join(root, 'link-'));
  const repo = join(sandbox, 'orders');
  execFileSync('cp', ['-a', template, repo]);
  const elsewhere = join(sandbox, 'elsewhere');
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, join(repo, 'tmp'));
  const r = await runCli(['regen', '--port', '9090'], { cwd: repo });
  assert.is(r.exitCode, 0, r.stderr);
  assert.equal(execFileSync('ls', ['-A', elsewhere], { encoding: 'utf8' }), '');
  assert.match(readFileSync(join(repo, 'Dockerfile'), 'utf8'), /EXPOSE 9090/);
});

test('--force --dry-run marks the files that exist and would be replaced', async () => {
  const dir = mkdtempSync(join(root, 'force-'));
  writeFileSync(join(dir, 'Makefile'), 'mine\n');
  writeFileSync(join(dir, 'notes.txt'), 'mine\n');
  const r = await runCli(['.', '--name', 'orders', '--yes', '--force', '--dry-run'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^ {2}Makefile \(exists: would be replaced\)$/m);
  assert.match(r.stdout, /^ {2}go\.mod$/m);
  assert.match(r.stdout, /1 of them exists and would be replaced/);
  const json = await runCli(['.', '--name', 'orders', '--yes', '--force', '--dry-run', '--json'], { cwd: dir });
  assert.equal(JSON.parse(json.stdout).replaces, ['Makefile']);
});

test('a failed go mod download says go: once', async () => {
  const bin = mkdtempSync(join(root, 'bin-'));
  writeFileSync(join(bin, 'go'), '#!/bin/sh\necho "go: github.com/rs/zerolog@v1.34.0: connection refused" >&2\nexit 1\n');
  chmodSync(join(bin, 'go'), 0o755);
  const dir = mkdtempSync(join(root, 'go-'));
  const r = await runCli(['svc', '--yes', '--no-git'], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /^warning: go: github\.com\/rs\/zerolog@v1\.34\.0: connection refused; run `go mod download` in /m);
  assert.not.match(r.stderr, /go: go:/);
});

test.after(() => {
  execFileSync('chmod', ['-R', 'u+w', root]);
  rmSync(root, { recursive: true, force: true });
});

test.run();
