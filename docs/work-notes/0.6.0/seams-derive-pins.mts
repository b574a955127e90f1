// One-off: go-pins.json with automaxprocs as a fourth feature, without moving any version.
// automaxprocs on = 0.5.0's rendering (old pins); off = the same go.mod/go.sum tidied for the
// Go code rendered without automaxprocs (tidy only drops lines here).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
const W = '/work/wt/seams';
const { resolveAnswers } = await import(`${W}/generators/model/answers.ts`);
const { filesFor } = await import(`${W}/generators/model/files.ts`);
const { renderAll } = await import(`${W}/generators/render/render.ts`);
const { GO_PIN_FEATURES } = await import(`${W}/generators/render/go-pins.ts`);
const { formatPins, pinsFromVariants } = await import(`${W}/scripts/lib/go-pins-data.ts`);
const old = await import('/tmp/seams-base-src/generators/render/go-pins.ts');
const oldJson = JSON.parse(readFileSync('/tmp/seams-base-src/generators/render/go-pins.json', 'utf8'));
const OPTIONS = GO_PIN_FEATURES as readonly string[];
const COMBOS = Array.from({ length: 1 << OPTIONS.length }, (_, i) =>
  Object.fromEntries(OPTIONS.map((o, k) => [o, (i & (1 << (OPTIONS.length - 1 - k))) === 0])) as Record<string, boolean>);
const work = mkdtempSync(join(tmpdir(), 'seams-pins-'));
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
const baselines: Record<string, unknown> = {};
const go = (dir: string, ...args: string[]) => execFileSync('go', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const versions = (dir: string) => new Map(((JSON.parse(go(dir, 'mod', 'edit', '-json')).Require ?? []) as { Path: string; Version: string }[]).map((r) => [r.Path, r.Version]));
for (const baseline of [oldJson.oldest, oldJson.newer]) {
  // The full set: 0.5.0's all-on rendering (every option on, automaxprocs compiled in as then).
  const answersOf = (c: Record<string, boolean>) => resolveAnswers({ name: 'demo-svc', goVersion: baseline, metrics: c.metrics, tracing: c.tracing, database: c.postgres ? 'postgres' : 'none', automaxprocs: c.automaxprocs }, { useDefaults: true, env: {} });
  const fullA = answersOf(COMBOS[0]!);
  const fullMod = old.renderGoMod(fullA, `${baseline}.0`);
  const fullSum = old.renderGoSum(fullA);
  mkdirSync(join(work, 'full-' + baseline), { recursive: true });
  writeFileSync(join(work, 'full-' + baseline, 'go.mod'), fullMod);
  const dirs: string[] = [];
  const variants = COMBOS.map((c, i) => {
    const features = OPTIONS.filter((f) => c[f]);
    if (i === 0) return { features, goMod: fullMod, goSum: fullSum };
    const a = answersOf(c);
    const dir = join(work, `${baseline}-${i}`);
    for (const f of renderAll(a, filesFor(a).filter((x: { group: string }) => x.group === 'go' && !['go.mod', 'go.sum'].includes(x.path)))) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    // As scripts/pin-go-deps.ts step 2: tidy from the full set, keep the direct requirements
    // alone, tidy again, then lift every module left to the full set's version.
    writeFileSync(join(dir, 'go.mod'), fullMod);
    writeFileSync(join(dir, 'go.sum'), fullSum);
    go(dir, 'mod', 'tidy');
    const direct = go(dir, 'list', '-m', '-f', '{{if not (or .Main .Indirect)}}{{.Path}}@{{.Version}}{{end}}', 'all');
    writeFileSync(join(dir, 'go.mod'), `module ${a.module}\n\ngo ${baseline}.0\n`);
    go(dir, 'mod', 'edit', ...direct.split('\n').filter(Boolean).map((m) => `-require=${m}`));
    go(dir, 'mod', 'tidy');
    const full = versions(join(work, 'full-' + baseline)) ;
    const lift = [...versions(dir)].filter(([path, v]) => full.has(path) && full.get(path) !== v);
    if (lift.length > 0) {
      go(dir, 'mod', 'edit', ...lift.map(([path]) => `-require=${path}@${full.get(path)}`));
      go(dir, 'mod', 'tidy');
    }
    console.error(`tidied ${baseline} ${features.join('+') || '(none)'}${lift.length ? ` (lifted ${lift.map(([p]) => p).join(', ')})` : ''}`);
    dirs.push(dir);
    return { features, goMod: readFileSync(join(dir, 'go.mod'), 'utf8'), goSum: readFileSync(join(dir, 'go.sum'), 'utf8') };
  });
  baselines[baseline] = pinsFromVariants(variants);
}
writeFileSync(`${W}/generators/render/go-pins.json`, formatPins({ oldest: oldJson.oldest, newer: oldJson.newer, baselines }));
console.error('written');
