// `preset init <dir>`: a starter preset, npm-init style: package.json, the manifest with each
// key shown, one template, a README and a test script that generates a service with the
// preset and runs check on it. Written atomically into an empty (or new) directory.
//
// The starter pins the generator it was made with as a devDependency: its test runs that
// version, Renovate or `npm update` moves it, and the manifest's first line names the schema
// in it, so that an editor checks the manifest after `npm install`.
import { basename, resolve } from 'node:path';
import { UsageError } from '../../cli/cli-args.js';
import { PRESET_MANIFEST } from '../model/preset.js';
import { GENERATOR_VERSION } from '../../model/version.js';
import { blockingEntries, TargetNotEmptyError, writeProject, type FileToWrite } from '../../plumbing/write.js';

/** Where the manifest's schema is once the starter's devDependencies are installed. */
export const STARTER_SCHEMA_PATH = './node_modules/create-go-k8s-service/schema/go-k8s-service-preset.schema.json';

/** An npm package name from a directory name: lower case, only the characters npm allows. */
function packageName(dir: string): string {
  const base = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return base || 'go-service-preset';
}

export function starterFiles(name: string, version = GENERATOR_VERSION): FileToWrite[] {
  const pkg = {
    name,
    version: '0.1.0',
    description: 'Our conventions for Go services made with create-go-k8s-service.',
    keywords: ['create-go-k8s-service-preset'],
    files: [PRESET_MANIFEST, 'templates'],
    scripts: { test: 'node test.mjs' },
    // The generator the test runs and the schema comes from.
    devDependencies: { 'create-go-k8s-service': version },
    // The generator versions this preset was written and tested against.
    peerDependencies: { 'create-go-k8s-service': `>=${version}` },
    peerDependenciesMeta: { 'create-go-k8s-service': { optional: true } },
  };
  const manifest = `# yaml-language-server: $schema=${STARTER_SCHEMA_PATH}
# A create-go-k8s-service preset. Every key is optional; unknown keys are refused.
# Use it: npm create go-k8s-service -- my-service --preset ./${name} (or --preset ${name} once published)

# Defaults for the generator's questions (name, module, description, goVersion, port, image,
# ci, baseImage, metrics, tracing, sign). Strings are Handlebars templates over earlier answers.
defaults:
  module: git.example.com/services/{{name}}
  image: registry.example.com/services/{{name}}

# Answers teams cannot change (each needs a value under defaults).
locked: []

# Questions of your own: --set key=value, the answers file, or asked on a terminal.
# Templates and patches see them as {{preset.<key>}}.
questions:
  - key: team
    message: Owning team
    type: string            # string, choice (with choices: [...]) or boolean
    pattern: ^[a-z0-9-]+$   # a string answer is one line unless the question says multiline: true

# Changes to generated files, applied after rendering (so the generator's own updates still
# flow): append, before/after a literal line + insert, or replace a line + with.
patches:
  - file: Makefile
    append: |

      owners: ## Print the team that owns this service
      \t@printf '%s\\n' {{makeShellQuote preset.team}}

# Rules \`check\` enforces in every repo made with this preset.
conventions:
  - id: codeowners
    file: CODEOWNERS
    require: ^\\* @
    message: CODEOWNERS must name the owning team for every path
`;
  const readme = `# ${name}

A [create-go-k8s-service](https://www.npmjs.com/package/create-go-k8s-service) preset.

- \`${PRESET_MANIFEST}\`: defaults, locked answers, questions, patches and conventions.
- \`templates/\`: files to add, or to replace the generator's (same paths and naming:
  \`dot_\` for a leading dot, \`__name__\` for the service name, \`.hbs\` for Handlebars).

Test it: \`npm install && npm test\` generates a service with this preset and runs \`check\` on
it, with the generator version in \`devDependencies\` (the one whose schema the manifest's first
line names, so that an editor with a YAML language server checks the keys).
Publish it: \`npm publish\`; teams then run \`npm create go-k8s-service -- my-service --preset ${name}\`.
`;
  const test = `// Generates a service with this preset and checks it with the generator's own rules and
// this preset's conventions. The generator: CREATE_GO_K8S_SERVICE (a local CLI, a .cjs/.js
// file), else the devDependency once installed, else that version through npx.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const preset = fileURLToPath(new URL('.', import.meta.url));
function installed() {
  try {
    const manifest = createRequire(import.meta.url).resolve('create-go-k8s-service/package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    return { cli: join(dirname(manifest), pkg.bin['create-go-k8s-service']), version: pkg.version };
  } catch {
    return undefined;
  }
}
const wanted = JSON.parse(readFileSync(join(preset, 'package.json'), 'utf8')).devDependencies['create-go-k8s-service'];
const local = process.env.CREATE_GO_K8S_SERVICE;
const dep = local ? undefined : installed();
const [cmd, ...pre] = local || dep ? [process.execPath, local ?? dep.cli] : ['npx', '--yes', \`create-go-k8s-service@\${wanted}\`];
console.log(\`using create-go-k8s-service \${local ? \`from \${local}\` : dep ? \`\${dep.version} from node_modules\` : \`\${wanted} through npx\`}\`);
const run = (args, cwd) => execFileSync(cmd, [...pre, ...args], { cwd, stdio: 'inherit', shell: process.platform === 'win32' });

const dir = join(mkdtempSync(join(tmpdir(), 'preset-test-')), 'demo');
run([dir, '--yes', '--no-git', '--no-install', '--preset', preset, '--set', 'team=demo']);
run(['check'], dir);
console.log(\`ok: a service made with this preset passes check (\${dir})\`);
`;
  return [
    { path: 'package.json', content: JSON.stringify(pkg, null, 2) + '\n' },
    { path: PRESET_MANIFEST, content: manifest },
    { path: 'templates/CODEOWNERS.hbs', content: '# Owners of {{name}}.\n* @{{preset.team}}\n' },
    { path: 'README.md', content: readme },
    { path: 'test.mjs', content: test },
  ];
}

export function initPreset(dir: string, force: boolean): { directory: string; files: string[] } {
  const target = resolve(dir);
  const blocking = force ? [] : blockingEntries(target);
  if (blocking.length > 0) throw new TargetNotEmptyError(dir, blocking);
  const files = starterFiles(packageName(dir));
  writeProject(target, files, { force });
  return { directory: target, files: files.map((f) => f.path) };
}

export async function presetCommand(
  args: { positionals: string[]; flags: { force: boolean } },
  out: { info(s: string): void; isJson: boolean; json(o: object): void },
): Promise<number> {
  const [sub, dir, ...rest] = args.positionals;
  if (sub !== 'init') throw new UsageError(`preset: unknown subcommand ${JSON.stringify(sub ?? '')}; try: preset init <directory>`);
  if (dir === undefined || dir === '' || rest.length > 0) throw new UsageError('preset init takes one directory: preset init <directory>');
  const r = initPreset(dir, args.flags.force);
  out.info(`Wrote a starter preset into ${dir}: ${r.files.join(', ')}\nNext: cd ${dir} && npm install && npm test`);
  if (out.isJson) out.json({ ok: true, ...r });
  return 0;
}
