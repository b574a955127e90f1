// Command-line flags, derived from the question registry, and --help generated from it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { QUESTIONS, type AnswerKey, type Question } from './questions.js';

export class UsageError extends Error {}

interface GeneralFlag {
  name: string;
  short?: string;
  value?: string;
  help: string;
  commands: readonly Command[];
}

export const COMMANDS = ['create', 'regen', 'update', 'check'] as const;
export type Command = (typeof COMMANDS)[number];

const ALL: readonly Command[] = COMMANDS;
const WRITING: readonly Command[] = ['create', 'regen', 'update'];

export const GENERAL_FLAGS: readonly GeneralFlag[] = [
  { name: 'yes', short: 'y', help: 'accept defaults for every question not given; never prompt', commands: ['create'] },
  { name: 'answers', value: 'file', help: 'read answers from a JSON or YAML file (flags win over it)', commands: ['create', 'regen'] },
  { name: 'dry-run', help: 'write nothing; list (create) or diff (regen, update) what would change', commands: WRITING },
  { name: 'json', help: 'print a machine-readable result on stdout; human text goes to stderr', commands: ALL },
  { name: 'force', help: 'create: write into a non-empty directory; regen: overwrite edited files', commands: ['create', 'regen'] },
  { name: 'skip-modified', help: 'regen: keep edited files and regenerate the rest', commands: ['regen'] },
  { name: 'list', help: 'regen: list the files and groups that can be regenerated', commands: ['regen'] },
  { name: 'no-git', help: 'do not run git init and the first commit', commands: ['create'] },
  { name: 'no-install', help: 'do not run go mod download', commands: ['create'] },
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
    list: boolean;
    git: boolean;
    install: boolean;
    help: boolean;
    version: boolean;
  };
}

function optionsFor(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const f of GENERAL_FLAGS) {
    options[f.name] = { type: f.value ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}) };
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

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

export function suggestFlag(unknown: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of knownFlags()) {
    const dd = distance(unknown, f);
    if (dd < bestD) [best, bestD] = [f, dd];
  }
  return bestD <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let rest = [...argv];
  let command: Command = 'create';
  if (rest[0] && (COMMANDS as readonly string[]).includes(rest[0]) && rest[0] !== 'create') {
    command = rest[0] as Command;
    rest = rest.slice(1);
  } else if (rest[0] === 'create') {
    rest = rest.slice(1);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: optionsFor(), allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'(-{1,2}[^']+)'/.exec(e.message)?.[1] ?? '';
      const bare = flag.replace(/^-+/, '').split('=')[0]!;
      const hint = suggestFlag(bare);
      throw new UsageError(`unknown flag ${flag}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? 'a flag';
      throw new UsageError(`${flag.replace(/ .*/, '')} needs a value; see --help`);
    }
    throw new UsageError(e.message.split('\n')[0]!);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
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
      throw new UsageError(`--${f.name} does not apply to ${command === 'create' ? 'creating a service' : `the ${command} command`}; see --help`);
    }
  }
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
      list: Boolean(v.list),
      git: !v['no-git'],
      install: !v['no-install'],
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
  [1, 'failed: target not empty, conflicts or check violations, a write error'],
  [2, 'invalid usage: unknown flag, invalid value, missing answers without a TTY'],
  [130, 'interrupted (Ctrl-C); nothing was left half-written'],
];

export function helpText(version: string): string {
  const rows: [string, string][] = [];
  for (const q of QUESTIONS) rows.push([flagColumn(q), q.help]);
  const general: [string, string][] = GENERAL_FLAGS.map((f) => [
    `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` <${f.value}>` : ''}`,
    f.help,
  ]);
  const width = Math.max(...[...rows, ...general].map(([a]) => a.length)) + 2;
  const fmt = (r: [string, string][]) => r.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join('\n');
  return `create-go-k8s-service ${version}
Writes a production-grade Go service repository for Kubernetes: graceful shutdown,
/healthz and /ready, zerolog, typed config, Dockerfile, Helm chart, Makefile and CI.

Usage:
  npm create go-k8s-service@latest [directory] -- [flags]
  create-go-k8s-service [directory] [flags]           create a service (asks for what is missing)
  create-go-k8s-service regen <file|group>... [flags]  regenerate files from the recorded answers
  create-go-k8s-service update [flags]                 merge a newer generator's templates (3-way)
  create-go-k8s-service check [--json]                 report drift from the platform conventions

Questions (each also asked interactively when not given):
${fmt(rows)}

Options:
${fmt(general)}

Without a TTY nothing is asked: pass --yes to take defaults, or every answer as a flag.

Exit codes:
${EXIT_CODES.map(([c, d]) => `  ${String(c).padEnd(5)}${d}`).join('\n')}

Examples:
  npm create go-k8s-service@latest orders
  npx create-go-k8s-service orders --yes --module github.com/acme/orders --ci gitlab --no-metrics
  npx create-go-k8s-service --answers answers.yaml --json --no-git > result.json
  npx create-go-k8s-service regen chart --port 9090
`;
}
