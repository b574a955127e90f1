// Renders every option combination with two checkouts of the generator and reports, per file,
// the combinations whose output differs: the proof that a refactoring of the templates changes
// only what it names. In process (the file plan of each checkout), so the whole matrix takes
// seconds. Usage: tsx scripts/compare-matrix.ts <old checkout> [<new checkout>, default: this one]
// The old checkout needs its node_modules (a symlink to this one's will do).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Side {
  planProject: (a: unknown) => { path: string; content: string }[];
  resolveAnswers: (given: Record<string, unknown>, opts: unknown) => unknown;
}

const [oldRoot, newRoot = fileURLToPath(new URL('..', import.meta.url))] = process.argv.slice(2);
if (!oldRoot) {
  console.error('usage: tsx scripts/compare-matrix.ts <old checkout> [<new checkout>]');
  process.exit(2);
}

async function load(root: string): Promise<Side> {
  const scaffold = await import(join(resolve(root), 'generators/render/scaffold.ts'));
  const answers = await import(join(resolve(root), 'generators/model/answers.ts'));
  return { planProject: scaffold.planProject, resolveAnswers: answers.resolveAnswers };
}

/** Every answer that changes which files exist or what they say, in every combination. */
function* combos(): Generator<Record<string, unknown>> {
  for (const metrics of [true, false])
    for (const tracing of [true, false])
      for (const database of ['none', 'postgres'])
        for (const goVersion of ['1.25', '1.26'])
          for (const ci of ['github', 'gitlab', 'none'])
            for (const sign of ci === 'none' ? [undefined] : [true, false])
              for (const updateJob of ci === 'none' ? [undefined] : [true, false])
                for (const deploy of ['helm', 'gitops'])
                  for (const baseImage of ['distroless', 'scratch', 'alpine']) {
                    const a: Record<string, unknown> = { name: 'svc', module: 'github.com/acme/svc', goVersion, metrics, tracing, database, ci, deploy, baseImage };
                    if (sign !== undefined) a.sign = sign;
                    if (updateJob !== undefined) a.updateJob = updateJob;
                    yield a;
                  }
}

const RECORD = '.go-k8s-service.json'; // names the version and hashes every file
const sides = [await load(oldRoot), await load(newRoot)] as const;
const env = { localGoVersion: undefined };
const changed = new Map<string, string[]>();
let n = 0;
for (const given of combos()) {
  const key = Object.entries(given).filter(([k]) => !['name', 'module'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ');
  const [a, b] = sides.map((s) => new Map(s.planProject(s.resolveAnswers(given, { useDefaults: true, env })).map((f) => [f.path, f.content])));
  for (const p of new Set([...a!.keys(), ...b!.keys()])) {
    if (p === RECORD) continue;
    const va = a!.get(p);
    const vb = b!.get(p);
    if (va === vb) continue;
    const tag = va === undefined ? 'added' : vb === undefined ? 'removed' : 'changed';
    changed.set(`${tag} ${p}`, [...(changed.get(`${tag} ${p}`) ?? []), key]);
  }
  n++;
}
console.log(`${n} option combinations rendered by both checkouts`);
if (changed.size === 0) console.log('identical output');
for (const [file, keys] of [...changed].sort()) console.log(`${file}: ${keys.length} of ${n}`);
