// Maintainer tool: pins the generated service's Go dependencies. Renders the Go files for
// every metrics × tracing × database × automaxprocs combination, lets `go mod tidy` pick the newest versions that
// still work with each baseline Go (the oldest supported, and the next for every newer
// Go), and writes generators/render/go-pins.json: every module and go.sum line with the
// options that need it, so that each combination renders exactly what `go mod tidy` writes
// (generators/render/go-pins.ts). Then proves it for every combination and Go version. Run it
// before each release, so that a generated repo starts with current dependencies.
// Usage: npx tsx scripts/pin-go-deps.ts
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveAnswers } from '../generators/model/answers.js';
import { filesFor } from '../generators/model/files.js';
import { renderAll } from '../generators/render/render.js';
import { MIN_GO_MINOR } from '../generators/model/validate.js';
import { GO_PIN_FEATURES, type GoPinFeature } from '../generators/render/go-pins.js';
import { formatPins, pinsFromVariants } from './lib/go-pins-data.js';

const MIN_GO = `1.${MIN_GO_MINOR}`;
// Dependency sets: one for the oldest supported Go, one for every newer Go, which may take
// releases that need it (golang.org/x/net v0.60.0 and later need go 1.26.0: its HTTP/2
// fixes should not wait until the oldest supported Go is 1.26).
const BASELINES = [MIN_GO, `1.${MIN_GO_MINOR + 1}`];
const GO_ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
const PINS_FILE = new URL('../generators/render/go-pins.json', import.meta.url);
const PINNED = ['go.mod', 'go.sum'];

// The options that change the Go dependencies, as the templates' boolean names; every
// combination of them, all on first: its order of lines wins ties in the merge.
const OPTIONS = GO_PIN_FEATURES;
type Combo = Record<(typeof OPTIONS)[number], boolean>;
const COMBOS: Combo[] = Array.from(
  { length: 1 << OPTIONS.length },
  (_, i) => Object.fromEntries(OPTIONS.map((o, k) => [o, (i & (1 << (OPTIONS.length - 1 - k))) === 0])) as Combo,
);
/** The answers behind a combination. */
const answersOf = (c: Combo) => ({
  metrics: c.metrics,
  tracing: c.tracing,
  database: c.postgres ? 'postgres' : 'none',
  automaxprocs: c.automaxprocs,
});

function go(dir: string, ...args: string[]): string {
  return execFileSync('go', args, { cwd: dir, env: GO_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Renders the Go files for these options into dir, without go.mod and go.sum unless asked. */
function render(dir: string, given: Record<string, unknown>, withPins = false) {
  const answers = resolveAnswers({ name: 'demo-svc', ...given }, { useDefaults: true, env: {} });
  const files = filesFor(answers).filter((f) => f.group === 'go' && (withPins || !PINNED.includes(f.path)));
  for (const f of renderAll(answers, files)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return answers;
}

/**
 * tidy takes the newest direct dependencies but only the minimum versions they require of
 * the rest (golang.org/x/net v0.58.0, with known HTTP/2 vulnerabilities, once). This lifts
 * each required module with a newer release to it, one at a time, keeping a lift only if
 * the baseline Go still builds the result at that version; so a generated repo starts
 * current.
 */
/**
 * Rewrites go.mod to the direct requirements alone and tidies: what a bigger module set dragged
 * in (indirect modules at versions only it wanted, tests of unused modules) drops out.
 */
function tidyFromDirect(dir: string, module: string, baseline: string): void {
  const direct = go(dir, 'list', '-m', '-f', '{{if not (or .Main .Indirect)}}{{.Path}}@{{.Version}}{{end}}', 'all');
  writeFileSync(join(dir, 'go.mod'), `module ${module}\n\ngo ${baseline}.0\n`);
  const requires = direct
    .split('\n')
    .filter(Boolean)
    .map((m) => `-require=${m}`);
  go(dir, 'mod', 'edit', ...requires);
  go(dir, 'mod', 'tidy');
}

function liftToNewest(dir: string, baseline: string): void {
  const listed = go(dir, 'list', '-m', '-u', '-f', '{{if and (not .Main) .Update}}{{.Path}} {{.Update.Version}}{{end}}', 'all');
  const required = versions(dir);
  for (const [path, version] of listed
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string])) {
    if (!required.has(path) || /-/.test(version)) continue; // prereleases stay out
    const saved = PINNED.map((f) => readFileSync(join(dir, f), 'utf8'));
    try {
      // tidy alone is not enough: goose v3.27 is tidy beside interpolate v0.2.0 and does not compile.
      for (const args of [
        ['get', `${path}@${version}`],
        ['get', `go@${baseline}.0`, 'toolchain@none'],
        ['mod', 'tidy'],
        ['build', './...'],
      ]) {
        execFileSync('go', args, { cwd: dir, env: GO_ENV, stdio: 'ignore' });
      }
      if (versions(dir).get(path) !== version) throw new Error('lowered again for the baseline Go');
      console.error(`go ${baseline}: lifted ${path} to ${version}`);
    } catch {
      for (const [i, f] of PINNED.entries()) writeFileSync(join(dir, f), saved[i]!);
      console.error(`go ${baseline}: kept ${path} at ${required.get(path)} (${version} needs a newer Go or breaks the build)`);
    }
  }
}

/** The modules go.mod requires, path to version. */
function versions(dir: string): Map<string, string> {
  const mod = JSON.parse(go(dir, 'mod', 'edit', '-json')) as { Require?: { Path: string; Version: string }[] };
  return new Map((mod.Require ?? []).map((r) => [r.Path, r.Version]));
}

/** Pins for one baseline Go: every module and go.sum line, with the options that need it. */
function pin(work: string, baseline: string): ReturnType<typeof pinsFromVariants> {
  // 1. All options on: newest versions, then down to what the baseline Go supports, then
  // every module lifted to its newest release that still does.
  const dirs = COMBOS.map((_, i) => join(work, `${baseline}-combo${i}`));
  const full = render(dirs[0]!, { ...answersOf(COMBOS[0]!), goVersion: baseline });
  writeFileSync(join(dirs[0]!, 'go.mod'), `module ${full.module}\n\ngo ${baseline}.0\n`);
  go(dirs[0]!, 'mod', 'tidy');
  go(dirs[0]!, 'get', `go@${baseline}.0`, 'toolchain@none');
  go(dirs[0]!, 'mod', 'tidy');
  // The downgrade leaves indirect modules where the newer versions wanted them, which the
  // older ones may not build with (a v0 module's API changes): tidy again from the direct
  // requirements alone.
  tidyFromDirect(dirs[0]!, full.module, baseline);
  liftToNewest(dirs[0]!, baseline);
  // 2. The other combinations import fewer modules. Tidying from only their direct
  // requirements drops what the full set dragged in (tests of unused modules), then every
  // module left is lifted to the full set's version, so a version never depends on options.
  const fullVersions = versions(dirs[0]!);
  COMBOS.slice(1).forEach((combo, i) => {
    const dir = dirs[i + 1]!;
    render(dir, { ...answersOf(combo), goVersion: baseline });
    for (const f of PINNED) copyFileSync(join(dirs[0]!, f), join(dir, f));
    go(dir, 'mod', 'tidy');
    tidyFromDirect(dir, full.module, baseline);
    const lift = [...versions(dir)].filter(([path, v]) => fullVersions.has(path) && fullVersions.get(path) !== v);
    if (lift.length > 0) {
      go(dir, 'mod', 'edit', ...lift.map(([path]) => `-require=${path}@${fullVersions.get(path)}`));
      go(dir, 'mod', 'tidy');
    }
  });
  // 3. The lines of every combination, each with the options that need it.
  return pinsFromVariants(
    COMBOS.map((combo, i) => ({
      features: GO_PIN_FEATURES.filter((f) => combo[f]) as GoPinFeature[],
      goMod: readFileSync(join(dirs[i]!, 'go.mod'), 'utf8'),
      goSum: readFileSync(join(dirs[i]!, 'go.sum'), 'utf8'),
    })),
  );
}

const work = mkdtempSync(join(tmpdir(), 'pin-go-deps-'));
try {
  const [oldest, newer] = BASELINES as [string, string];
  writeFileSync(PINS_FILE, formatPins({ oldest, newer, baselines: Object.fromEntries(BASELINES.map((b) => [b, pin(work, b)])) }));
  // 4. Proof: every combination and Go version renders what `go mod tidy` leaves alone.
  const local = go(work, 'env', 'GOVERSION')
    .trim()
    .replace(/^go(\d+\.\d+).*/, '$1');
  for (const goVersion of [...new Set([...BASELINES, local])]) {
    for (const combo of COMBOS) {
      const label = OPTIONS.map((o) => `${o}=${combo[o]}`).join(', ');
      const dir = join(work, `check-${goVersion}-${OPTIONS.map((o) => combo[o]).join('-')}`);
      render(dir, { ...answersOf(combo), goVersion }, true);
      go(dir, 'mod', 'tidy', '-diff');
      // Tidy is not enough: a module held at a version its users no longer build with is tidy.
      if (BASELINES.includes(goVersion)) go(dir, 'build', './...');
      console.error(`ok: go ${goVersion}, ${label}`);
    }
  }
  console.log(readFileSync(PINS_FILE, 'utf8'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
