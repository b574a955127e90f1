// Renders every option combination with two checkouts of the generator and reports, per file,
// the combinations whose output differs: the proof that a refactoring of the templates changes
// only what it names. In process (the file plan of each checkout), so the whole matrix takes
// seconds. Usage: tsx scripts/compare-matrix.ts <old checkout> [<new checkout>, default: this one]
// The old checkout needs its node_modules (a symlink to this one's will do). NEW_ANSWERS (JSON)
// adds answers on the new side only, for a question the old checkout does not have.
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

async function load(root: string): Promise<Side & { version: string }> {
  const scaffold = await import(join(resolve(root), 'generators/render/scaffold.ts'));
  const answers = await import(join(resolve(root), 'generators/model/answers.ts'));
  const { GENERATOR_VERSION } = await import(join(resolve(root), 'generators/model/version.ts'));
  return { planProject: scaffold.planProject, resolveAnswers: answers.resolveAnswers, version: GENERATOR_VERSION };
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
                    const a: Record<string, unknown> = {
                      name: 'svc',
                      module: 'github.com/acme/svc',
                      goVersion,
                      metrics,
                      tracing,
                      database,
                      ci,
                      deploy,
                      baseImage,
                    };
                    if (sign !== undefined) a.sign = sign;
                    if (updateJob !== undefined) a.updateJob = updateJob;
                    yield a;
                  }
}

const RECORD = '.go-k8s-service.json'; // names the version and hashes every file
const sides = [await load(oldRoot), await load(newRoot)] as const;
const env = { localGoVersion: undefined };
const extra = JSON.parse(process.env.NEW_ANSWERS ?? '{}') as Record<string, unknown>;
const changed = new Map<string, Record<string, unknown>[]>();
let n = 0;
for (const given of combos()) {
  // Each side's own version number is written into many files (regen hints, comments): the
  // same. Not in go.mod and go.sum, where it would match module versions.
  const [a, b] = sides.map(
    (s, i) =>
      new Map(
        s
          .planProject(s.resolveAnswers(i === 0 ? given : { ...given, ...extra }, { useDefaults: true, env }))
          .map((f) => [f.path, /^go\.(mod|sum)$/.test(f.path) ? f.content : f.content.replaceAll(s.version, '<version>')]),
      ),
  );
  for (const p of new Set([...a!.keys(), ...b!.keys()])) {
    if (p === RECORD) continue;
    const va = a!.get(p);
    const vb = b!.get(p);
    if (va === vb) continue;
    const tag = va === undefined ? 'added' : vb === undefined ? 'removed' : 'changed';
    changed.set(`${tag} ${p}`, [...(changed.get(`${tag} ${p}`) ?? []), given]);
  }
  n++;
}
console.log(`${n} option combinations rendered by both checkouts`);
if (changed.size === 0) console.log('identical output');
// Which answers the differing combinations share: "metrics=true" when all of them have it.
const DIMS = ['metrics', 'tracing', 'database', 'goVersion', 'ci', 'deploy', 'baseImage'];
for (const [file, combos] of [...changed].sort()) {
  const shared = DIMS.flatMap((d) => {
    const values = new Set(combos.map((c) => String(c[d])));
    return values.size === 1 ? [`${d}=${[...values][0]}`] : [];
  });
  console.log(`${file}: ${combos.length} of ${n}${shared.length ? ` (all with ${shared.join(', ')})` : ''}`);
}
