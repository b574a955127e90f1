// Command-line flags, derived from the question registry, and --help generated from it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { QUESTIONS, type AnswerKey, type Question } from '../model/questions.js';
import { quote } from '../model/validate.js';

export { UsageError } from '../plumbing/errors.js';
import { UsageError } from '../plumbing/errors.js';

interface GeneralFlag {
  name: string;
  short?: string;
  value?: string;
  /** May be given more than once (--set a=1 --set b=2). */
  multiple?: boolean;
  /** What an empty value should have been, for the message refusing it (default: from value). */
  needs?: string;
  help: string;
  commands: readonly Command[];
}

export const COMMANDS = ['create', 'regen', 'update', 'check', 'remove', 'outdated', 'preset'] as const;
export type Command = (typeof COMMANDS)[number];

const ALL: readonly Command[] = COMMANDS;
const WRITING: readonly Command[] = ['create', 'regen', 'update', 'remove'];

export const GENERAL_FLAGS: readonly GeneralFlag[] = [
  { name: 'yes', short: 'y', help: 'accept defaults for every question not given; never prompt', commands: ['create'] },
  { name: 'answers', value: 'file', help: 'read answers from a JSON or YAML file (flags win over it)', commands: ['create', 'regen'] },
  { name: 'dry-run', help: 'write nothing; list (create, remove) or diff (regen, update) what would change', commands: WRITING },
  { name: 'json', help: 'print a machine-readable result on stdout; human text goes to stderr', commands: ALL },
  {
    name: 'force',
    help: 'create: write into a non-empty directory; regen: overwrite edited files; remove: delete edited files too',
    commands: ['create', 'regen', 'remove', 'preset'],
  },
  { name: 'skip-modified', help: 'regen: keep edited files and regenerate the rest', commands: ['regen'] },
  {
    name: 'merge',
    help: 'regen: merge the generated change into edited files (3-way, as update does; conflict markers where both changed the same lines)',
    commands: ['regen'],
  },
  { name: 'list', help: 'regen: list the files and groups that can be regenerated', commands: ['regen'] },
  {
    name: 'repos',
    value: 'file',
    help: 'check: also check the repos listed in the file (one path per line, relative to it; # comments)',
    commands: ['check'],
  },
  {
    name: 'sarif',
    value: 'file',
    needs: 'a file, or - for stdout',
    help: 'check: write the findings as SARIF 2.1.0 (GitHub code scanning) to the file, or - for stdout',
    commands: ['check'],
  },
  {
    name: 'preset',
    value: 'folder|package',
    help: "use a platform team's preset: a folder, or an npm package (name[@version]); regen and update reuse the recorded one, or take this one (update: a newer version)",
    commands: ['create', 'regen', 'update'],
  },
  { name: 'set', value: 'key=value', multiple: true, help: 'answer a question of the preset (repeatable)', commands: ['create'] },
  {
    name: 'gitops-repo-starter',
    value: 'dir',
    help: 'with --deploy gitops: also write an environment repository starter into dir (a folder per environment, Argo CD and Flux files)',
    commands: ['create'],
  },
  { name: 'no-git', help: 'do not run git init and the first commit', commands: ['create'] },
  { name: 'no-install', help: 'do not run go mod download', commands: ['create'] },
  {
    name: 'bot',
    help: 'update for a pull request: never prompt, commit nothing, conflict markers in place of stopping (also where no merge base is found); exit 3 when conflicts are left',
    commands: ['update'],
  },
  {
    name: 'renovate',
    help: "update as Renovate's post-upgrade task, one command without a shell: puts back the record Renovate bumped (from HEAD), runs as --bot, and exits 0 when conflicts are left for the review",
    commands: ['update'],
  },
  {
    name: 'commit',
    help: 'update: commit the result (conflict markers included) with a message naming both versions',
    commands: ['update'],
  },
  {
    name: 'summary',
    value: 'file',
    needs: 'a file, or - for stdout',
    help: 'update: write a Markdown summary for a pull request body (- for stdout)',
    commands: ['update'],
  },
  {
    name: 'packages',
    value: 'dir|url',
    help: "where releases of this package come from: a directory of create-go-k8s-service-<version>.tgz files, or a registry URL (default: $GO_K8S_SERVICE_PACKAGES, else npm's configured registry)",
    commands: ['update', 'outdated'],
  },
  { name: 'help', short: 'h', help: 'show this help', commands: ALL },
  { name: 'version', short: 'v', help: 'print the generator version', commands: ALL },
];

export interface ParsedArgs {
  command: Command;
  positionals: string[];
  /** Answers given as flags, as raw strings or booleans. */
  answers: Partial<Record<AnswerKey, unknown>>;
  flags: {
    yes: boolean;
    answersFile?: string;
    dryRun: boolean;
    json: boolean;
    force: boolean;
    skipModified: boolean;
    merge: boolean;
    list: boolean;
    /** check: a file listing repos. */
    repos?: string;
    /** check: where SARIF goes ('-' = stdout). */
    sarif?: string;
    /** A preset: a folder or an npm package spec. */
    preset?: string;
    /** Answers to the preset's questions, as key=value. */
    set: string[];
    /** create: where to write the environment repository starter (deploy=gitops). */
    gitopsRepoStarter?: string;
    git: boolean;
    install: boolean;
    bot: boolean;
    renovate: boolean;
    commit: boolean;
    summary?: string;
    packages?: string;
    help: boolean;
    version: boolean;
  };
}

function optionsFor(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const f of GENERAL_FLAGS) {
    options[f.name] = {
      type: f.value ? 'string' : 'boolean',
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  for (const q of QUESTIONS) {
    if (q.type === 'boolean') {
      options[q.flag] = { type: 'boolean' };
      options[`no-${q.flag}`] = { type: 'boolean' };
    } else {
      options[q.flag] = { type: 'string' };
    }
  }
  return options;
}

function knownFlags(): string[] {
  return Object.keys(optionsFor()!);
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn a into b. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export function suggestFlag(unknown: string): string | undefined {
  // One or two letters are too little to guess from (-x would "mean" --ci).
  if (unknown.length < 3) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of knownFlags()) {
    const dd = distance(unknown, f);
    if (dd < bestD) [best, bestD] = [f, dd];
  }
  return bestD <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}

/** One line for each way node's parseArgs refuses a command line. */
function parseErrorMessage(e: { code?: string; message: string }): string {
  const first = e.message.split('\n')[0]!;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'(-{1,2}[^']+)'/.exec(first)?.[1] ?? '';
    const bare = flag.replace(/^-+/, '').split('=')[0]!;
    const hint = flag.startsWith('--') ? suggestFlag(bare) : undefined;
    return `unknown flag ${flag}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // parseArgs names options as '--name', '--name <value>' or '-y, --yes'.
    const flag = /--([a-z][a-z0-9-]*)/.exec(first)?.[1] ?? '';
    if (/does not take an argument/.test(first)) {
      const q = QUESTIONS.find((x) => x.flag === flag || `no-${x.flag}` === flag);
      return q ? `--${flag} takes no value: write --${q.flag} or --no-${q.flag}` : `--${flag} takes no value`;
    }
    if (/ambiguous/.test(first)) return `--${flag} needs a value (one starting with "-" is written --${flag}=<value>)`;
    return `--${flag} needs a value; see --help`;
  }
  return first;
}

/** What a flag's value names, for the message refusing an empty one. */
const NEEDS: Record<string, string> = {
  file: 'a file',
  dir: 'a directory',
  'folder|package': 'a folder or a package',
  'dir|url': 'a directory or a registry URL',
  'key=value': 'a key=value pair',
};

/**
 * A value flag given twice would silently take the last value (--port 8080 --port 9090), and an
 * empty one would be taken as absent (--preset ''): both are refused, naming the flag.
 */
function refuseRepeatedOrEmpty(tokens: readonly { kind: string; name?: string; value?: string }[]): void {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.value === undefined || !t.name) continue;
    const general = GENERAL_FLAGS.find((f) => f.name === t.name);
    if (general?.multiple) continue;
    if (t.value === '' && general)
      throw new UsageError(`--${t.name}: the value is empty (""): name ${general.needs ?? NEEDS[general.value!] ?? 'a value'}`);
    const first = seen.get(t.name);
    if (first !== undefined) throw new UsageError(`--${t.name} is given twice (${quote(first)}, ${quote(t.value)}): pass it once`);
    seen.set(t.name, t.value);
  }
}

const isCommand = (word: string | undefined): word is Command => (COMMANDS as readonly string[]).includes(word ?? '');

/** Words that act as commands in first place: `help [command]` and `version`. */
const WORDS = ['help', 'version'] as const;

/**
 * The command a word was probably meant to be: one edit (a swapped pair counts as one) away,
 * or the same in other case. A command with more after it (updater, checks) is a name.
 */
export function mistypedCommand(word: string): string | undefined {
  const lower = word.toLowerCase();
  return [...COMMANDS, ...WORDS].find((c) => word !== c && (lower === c || (!lower.startsWith(c) && distance(lower, c) === 1)));
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let rest = [...argv];
  if (rest[0] === 'help') {
    const [, target, ...extra] = rest;
    if (target !== undefined && !isCommand(target))
      throw new UsageError(`help: unknown command ${JSON.stringify(target)}; commands: ${COMMANDS.join(', ')}`);
    if (extra.length > 0) throw new UsageError('help takes at most one command, like: help regen');
    return parseCommandLine([target ?? 'create', '--help']);
  }
  if (rest[0] === 'version') {
    if (rest.length > 1) throw new UsageError('version takes no arguments');
    return parseCommandLine(['--version']);
  }
  let command: Command = 'create';
  const explicit = isCommand(rest[0]);
  if (explicit) {
    command = rest[0] as Command;
    rest = rest.slice(1);
  }
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: ReturnType<typeof optionsFor>; allowPositionals: true; strict: true; tokens: true }>
  >;
  try {
    parsed = parseArgs({ args: rest, options: optionsFor(), allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as { code?: string; message: string }));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  refuseRepeatedOrEmpty(parsed.tokens ?? []);
  const answers: Partial<Record<AnswerKey, unknown>> = {};
  for (const q of QUESTIONS) {
    if (q.type === 'boolean') {
      if (v[q.flag] && v[`no-${q.flag}`]) throw new UsageError(`--${q.flag} and --no-${q.flag} contradict each other`);
      if (v[q.flag]) answers[q.key] = true;
      if (v[`no-${q.flag}`]) answers[q.key] = false;
    } else if (v[q.flag] !== undefined) {
      answers[q.key] = v[q.flag];
    }
  }
  for (const f of GENERAL_FLAGS) {
    if (v[f.name] !== undefined && !f.commands.includes(command)) {
      throw new UsageError(
        `--${f.name} does not apply to ${command === 'create' ? 'creating a service' : `the ${command} command`}; see --help`,
      );
    }
  }
  // Without an explicit `create`, a first word close to a command is a typo, not a service
  // name (`regn` would otherwise start creating a service called regn).
  const first = explicit ? undefined : parsed.positionals[0];
  if (first !== undefined && (isCommand(first) || (WORDS as readonly string[]).includes(first))) {
    throw new UsageError(
      `${first} is a command and comes first, like: create-go-k8s-service ${first} --help (for a service of that name, pass --name ${first})`,
    );
  }
  const meant = first !== undefined ? mistypedCommand(first) : undefined;
  if (meant)
    throw new UsageError(
      `${JSON.stringify(first)} is not a command: did you mean ${meant}? (for a service of that name, pass --name ${first})`,
    );
  return {
    command,
    positionals: parsed.positionals,
    answers,
    flags: {
      yes: Boolean(v.yes),
      answersFile: v.answers as string | undefined,
      dryRun: Boolean(v['dry-run']),
      json: Boolean(v.json),
      force: Boolean(v.force),
      skipModified: Boolean(v['skip-modified']),
      merge: Boolean(v.merge),
      list: Boolean(v.list),
      ...(v.repos !== undefined ? { repos: v.repos as string } : {}),
      ...(v.sarif !== undefined ? { sarif: v.sarif as string } : {}),
      ...(v.preset !== undefined ? { preset: v.preset as string } : {}),
      set: (v.set as unknown as string[] | undefined) ?? [],
      ...(v['gitops-repo-starter'] !== undefined ? { gitopsRepoStarter: v['gitops-repo-starter'] as string } : {}),
      git: !v['no-git'],
      install: !v['no-install'],
      bot: Boolean(v.bot),
      renovate: Boolean(v.renovate),
      commit: Boolean(v.commit),
      summary: v.summary as string | undefined,
      packages: v.packages as string | undefined,
      help: Boolean(v.help),
      version: Boolean(v.version),
    },
  };
}

function flagColumn(q: Question): string {
  if (q.type === 'boolean') return `--[no-]${q.flag}`;
  if (q.type === 'choice') return `--${q.flag} ${q.choices.map((c) => c.value).join('|')}`;
  return `--${q.flag} <${q.placeholder ?? 'value'}>`;
}

export const EXIT_CODES: readonly [number, string][] = [
  [0, 'success'],
  [1, 'failed: target not empty, conflicts or check violations, a write error, or the summary was declined; nothing half-written'],
  [2, 'invalid usage: unknown flag, invalid value, missing answers without a TTY'],
  [130, 'interrupted (Ctrl-C; SIGTERM gives 143): whatever was being written is removed again'],
];

/** Environment variables the CLI reads (the README lists the same ones; a test keeps them equal). */
export const ENVIRONMENT: readonly [string, string][] = [
  ['CI', 'set: never prompt, as without a TTY'],
  ['NO_COLOR', 'set: no colours'],
  ['CGKS_DEBUG', 'set: stack traces for unexpected errors, and what the code cache did'],
  [
    'XDG_CACHE_HOME',
    'where compiled code is kept between runs, under create-go-k8s-service/v8 (default ~/.cache, on Windows %LOCALAPPDATA%; a relative path is ignored)',
  ],
  ['NODE_DISABLE_COMPILE_CACHE', 'set: keep no compiled code (every run compiles the program again)'],
  ['npm_config_yes', 'true (npm sets it for npm create … --yes without --, and npx --yes): as --yes'],
  [
    'GO_K8S_SERVICE_PACKAGES',
    "where update and outdated get releases of this package: a directory of create-go-k8s-service-<version>.tgz files, or a registry URL (default: npm's configured registry); --packages wins",
  ],
];

const HELP_WIDTH = 80;
const HELP_COLUMN = 26;

/** Greedy word wrap; a word longer than the width stays whole on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Two columns for an 80-column terminal: the description starts at a fixed column and
 * wraps under itself; a left cell too wide for the column puts its description below it.
 */
function table(rows: readonly (readonly [string, string])[], column = HELP_COLUMN): string {
  const pad = ' '.repeat(column);
  return rows
    .map(([left, right]) => {
      const text = wrap(right, HELP_WIDTH - column);
      const head = `  ${left}`;
      if (head.length + 2 > column) return [head, ...text.map((t) => pad + t)].join('\n');
      return [head.padEnd(column) + (text[0] ?? ''), ...text.slice(1).map((t) => pad + t)].join('\n');
    })
    .join('\n');
}

const paragraph = (text: string) => wrap(text, HELP_WIDTH).join('\n');

interface CommandHelp {
  /** The command line after the program name. */
  usage: string;
  /** One line for the global help's list of commands. */
  summary: string;
  /** What the command does, for its own --help. */
  about: string;
  /** Which answer flags it takes. */
  answers: 'all' | 'changes' | 'none';
  /** Its own exit codes, where they differ from EXIT_CODES. */
  exitCodes?: readonly [number, string][];
}

export const COMMAND_HELP: Record<Command, CommandHelp> = {
  create: {
    usage: '[directory]',
    summary: 'create a service in the directory (default: ./<name>); it must be empty, or hold only .git, unless --force',
    about: '',
    answers: 'all',
  },
  regen: {
    usage: 'regen <file|group>...',
    summary: 'regenerate files from the answers recorded in the repo; edited files are kept unless --force',
    about:
      'Regenerates files of a generated repo from the answers recorded in its .go-k8s-service.json, run anywhere inside the repo. Name files or groups (regen --list shows them), or change an answer with its flag: every file that depends on it is regenerated. A file edited since it was generated is a conflict: on a terminal you choose per file; otherwise nothing is written and the exit code is 1, unless --force or --skip-modified. With --dry-run and no target, every group is compared.',
    answers: 'changes',
  },
  update: {
    usage: 'update',
    summary: "merge a newer generator's templates into the repo (3-way)",
    about:
      "Merges what this generator version writes into a repo made by an older one, run inside the repo: a 3-way merge of the old templates, the new ones and the repo's files, so edits are kept. The merge base (what the older version wrote) comes from git, else from that version's package (see --packages), rendered with the recorded answers. A file without a merge base is kept and the new version written to .go-k8s-service/new/<file> (--bot: conflict markers in the file instead); overlapping edits get conflict markers. Answers stay as recorded: change them with regen.",
    answers: 'none',
    exitCodes: [
      [0, 'updated cleanly, or nothing to do'],
      [1, 'failed (not a clean git work tree, a newer record, a write error); without --bot also: files left to merge by hand'],
      [2, 'invalid usage'],
      [3, '--bot: updated, with conflict markers left in files (listed in the summary; --renovate: 0)'],
      [130, 'interrupted'],
    ],
  },
  outdated: {
    usage: 'outdated',
    summary: 'compare the recorded generator version with the newest published one',
    about:
      "Compares the generator version recorded in the repo's .go-k8s-service.json with the newest release from the package source (--packages: the highest version among the tarballs in a directory, or the registry's latest). Exit 1 when outdated, as npm outdated does: a CI step running it fails while the repo is behind; 4 (not 1) when the newest version cannot be looked up, so a job can tell the two apart.",
    answers: 'none',
    exitCodes: [
      [0, 'up to date'],
      [1, 'outdated: a newer version is published'],
      [2, 'invalid usage, or not inside a generated repo'],
      [4, 'the newest version could not be looked up (registry unreachable, or no such package there)'],
    ],
  },
  check: {
    usage: 'check [directory...]',
    summary: 'report drift from the platform conventions, in one repo or a fleet',
    about:
      'Reports where a generated repo (default: the current directory) drifts from the platform conventions: probes, security context, resources, the record of generated files. Exit 1 when a rule is broken, unless .go-k8s-service/waivers.yaml accepts the deviation (who, why, until when): then it is reported as waived. Name several directories, or list them in a file with --repos, to check a fleet: one line per repo, a summary with the generator versions the repos were made by, one JSON document with --json, and SARIF for code scanning or dashboards with --sarif.',
    answers: 'none',
  },
  preset: {
    usage: 'preset init <directory>',
    summary: "start a preset: a platform team's defaults, files, patches and conventions (see preset --help)",
    about:
      "Writes a starter preset into the directory (new or empty): package.json, go-k8s-service-preset.yaml with defaults, locked answers, a question, a patch and a convention, a template (CODEOWNERS), a README and a test script (npm test generates a service with the preset and runs check on it). Use a preset with --preset <folder|package> on create; regen, update and check find it again from the repo's record. Publish it to npm like any package.",
    answers: 'none',
  },
  remove: {
    usage: 'remove <file>...',
    summary: 'delete generated files you do not want, and record that (see remove --help)',
    about:
      'Deletes generated files you do not want (compose.yaml, say) and records them under "removed" in .go-k8s-service.json, so that check does not ask for them and regen and update neither recreate nor merge them. A file edited since it was generated is only deleted with --force. Run it inside the repo; paths are relative to the current directory or to the repo root. To bring a file back, name it: `regen <file>` writes it again and takes it off the list.',
    answers: 'none',
  },
};

function generalRows(command?: Command) {
  return GENERAL_FLAGS.filter((f) => !command || f.commands.includes(command)).map(
    (f) => [`${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` <${f.value}>` : ''}`, f.help] as const,
  );
}

/** A table a command adds to its help (check: its rules). */
export interface HelpSection {
  title: string;
  rows: readonly (readonly [string, string])[];
}

/** The global help, or a command's own (regen, update, check). */
export function helpText(version: string, command: Command = 'create', sections: readonly HelpSection[] = []): string {
  if (command !== 'create') return commandHelpText(version, command, sections);
  const questions = QUESTIONS.map((q) => [flagColumn(q), q.help] as const);
  const commands = COMMANDS.map((c) => [COMMAND_HELP[c].usage, COMMAND_HELP[c].summary] as const);
  return `create-go-k8s-service ${version}
${paragraph('Writes a production-grade Go service repository for Kubernetes: graceful shutdown, /healthz and /ready, zerolog, typed config, Dockerfile, Helm chart, Makefile and CI.')}

Usage:
  npm create go-k8s-service@latest [directory] -- [flags]
  create-go-k8s-service [command] [flags]
  create-go-k8s-service help [command]

Commands:
${table(commands)}

Questions (asked on a terminal when not given as flags):
${table(questions)}

Options:
${table(generalRows())}

${paragraph("On a terminal, every question not given as a flag is asked, and a summary is confirmed before anything is written. Without a TTY (or with CI set) nothing is asked: pass every answer as a flag or in --answers, or --yes to take the defaults. Answers files use the names above (go-version or goVersion); a repo's .go-k8s-service.json works too.")}

Exit codes:
${table(
  EXIT_CODES.map(([c, d]) => [String(c), d] as const),
  8,
)}

Environment:
${table(ENVIRONMENT, HELP_COLUMN)}

Examples:
  npm create go-k8s-service@latest orders
  npx create-go-k8s-service orders --yes --module github.com/acme/orders \\
    --ci gitlab --no-metrics
  npx create-go-k8s-service --answers svc.yaml --yes --json --no-git > out.json
  npx create-go-k8s-service regen chart --port 9090
`;
}

function commandHelpText(version: string, command: Exclude<Command, 'create'>, sections: readonly HelpSection[]): string {
  const help = COMMAND_HELP[command];
  // The service name names the chart, the binary and their directories: regen cannot change it.
  const answers = help.answers === 'none' ? [] : QUESTIONS.filter((q) => help.answers === 'all' || q.key !== 'name');
  const answerTable = answers.length
    ? `\nAnswers to change (each regenerates every file that depends on it):\n${table(answers.map((q) => [flagColumn(q), q.help] as const))}\n`
    : '';
  return `create-go-k8s-service ${command} (${version})
${paragraph(help.about)}

Usage:
  create-go-k8s-service ${help.usage} [flags]
  npm create go-k8s-service@latest -- ${help.usage} [flags]
${answerTable}
Options:
${table(generalRows(command))}
${sections.map((s) => `\n${s.title}:\n${table(s.rows)}\n`).join('')}
Exit codes:
${table(
  (help.exitCodes ?? EXIT_CODES).map(([c, d]) => [String(c), d] as const),
  8,
)}
`;
}
