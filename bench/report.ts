// Turns the results of a run into bench/results/report.md: targets as pass/fail lines first,
// then every figure with the command that reproduces it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FootprintResult } from './footprint.js';
import type { CompileCacheResult } from './compile-cache.js';
import type { ReferenceResult } from './reference.js';
import { ratioOf } from './reference.js';
import type { DatabaseResult } from './database.js';
import { pairedRatio } from './lib/timing.js';
import type { GenerationResult } from './generation.js';
import { pairedRpsRatio, type ServiceResult } from './service.js';
import type { SizeBreakdown } from './lib/binsize.js';
import { FIXED_RATE_INFLIGHT } from './lib/fixed-rate.js';
import type { StartupResult } from './startup.js';
import { BENCH_DIR, fmtBytes, fmtMs, fmtRatio, median, type Summary } from './lib/util.js';

export interface Target {
  area: string;
  name: string;
  measured: string;
  limit: string;
  pass: boolean | undefined;
  why?: string;
}

export interface Results {
  startedAt: string;
  durationSeconds: number;
  machine: Record<string, string | number>;
  git: { commit: string; dirty: boolean };
  options: Record<string, unknown>;
  installed: string[];
  generation?: GenerationResult;
  compileCache?: CompileCacheResult;
  startup?: StartupResult;
  footprint?: FootprintResult;
  service?: ServiceResult;
  database?: DatabaseResult;
  reference?: ReferenceResult;
  image?: { figures?: Record<string, number | string>; skipped?: string };
  errors: Record<string, string>;
  targets: Target[];
}

const iqr = (s: Summary, f: (n: number) => string) => `${f(s.p25)} – ${f(s.p75)}`;
const num = (n: number, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a';
const mark = (p: boolean | undefined) => (p === undefined ? 'SKIP' : p ? 'PASS' : 'FAIL');

export function renderReport(r: Results): string {
  const L: string[] = [];
  L.push('# create-go-k8s-service benchmark report', '');
  L.push(
    `Run ${r.startedAt} on ${r.machine.cpus}× ${r.machine.cpuModel} (${r.machine.os}), Node ${r.machine.node}, ${r.machine.go}; ` +
      `commit ${r.git.commit}${r.git.dirty ? ' with uncommitted changes in the work tree' : ''}; took ${r.durationSeconds.toFixed(0)} s; ` +
      `load average (1/5/15 min) ${r.machine.loadAtStart} at the start, ${r.machine.loadAtEnd} at the end` +
      `${Number(String(r.machine.loadAtStart).split(' ')[0]) > Number(r.machine.cpus) ? ' (busier than the machine has cores: absolute times are inflated, the interleaved ratios less so)' : ''}. ` +
      'Reproduce everything with `npm run bench` (`npm run bench -- --help` for options). Medians over repeated runs after a warm-up; ' +
      'compared commands are interleaved round by round in a shuffled order and ratios are taken within the same run.',
    '',
  );
  if (r.installed.length) L.push(`Installed by this run (benchmark-only): ${r.installed.join('; ')}.`, '');

  L.push('## Targets', '');
  for (const t of r.targets) {
    L.push(`- **${mark(t.pass)}** ${t.area}: ${t.name}: ${t.measured} (target ${t.limit})${t.why ? `. ${t.why}` : ''}`);
  }
  L.push('');
  for (const [phase, err] of Object.entries(r.errors)) L.push(`- **ERROR** ${phase}: ${err}`);
  if (Object.keys(r.errors).length) L.push('');

  const findings = join(BENCH_DIR, 'FINDINGS.md');
  if (existsSync(findings)) L.push(readFileSync(findings, 'utf8').trim(), '');

  if (r.generation) renderGeneration(L, r.generation);
  if (r.compileCache) renderCompileCache(L, r.compileCache);
  if (r.startup) renderStartup(L, r.startup);
  if (r.footprint) renderFootprint(L, r.footprint);
  if (r.service) renderService(L, r.service);
  if (r.database) renderDatabase(L, r.database);
  if (r.reference) renderReference(L, r.reference);
  L.push('## Container image (bench/image.ts)', '');
  if (r.image?.figures) {
    L.push('| figure | value |', '|---|---|');
    for (const [k, v] of Object.entries(r.image.figures)) {
      L.push(`| ${k} | ${typeof v === 'number' && /bytes|size/i.test(k) ? `${num(v)} B (${fmtBytes(v)})` : String(v)} |`);
    }
  } else {
    L.push(`Skipped: ${r.image?.skipped ?? 'not run'}.`);
  }
  L.push('');
  L.push('Raw figures: `bench/results/results.json`.', '');
  return L.join('\n');
}

function renderGeneration(L: string[], g: GenerationResult): void {
  L.push('## Generation (cold process per run, fresh target directory)', '');
  L.push(
    `Default repo: ${g.fileCount} files, ${num(g.bytesGenerated)} bytes. ${g.timing.rounds} interleaved rounds after ${g.timing.warmup} warm-up round(s) ` +
      `(seed ${g.timing.seed}); wall time of the whole process measured from the bench (spawnSync, ~1 ms of spawn overhead in every figure). ${g.regenStale.description}`,
    '',
  );
  L.push(
    '`$PREFIX` is a clean prefix with the packed tarball installed, as `npm create` would run it: ' +
      "`npm pack && npm install --prefix $PREFIX --offline ./create-go-k8s-service-*.tgz`. `$TMP` is the run's scratch directory; " +
      'generation commands run in a fresh empty directory each time.',
    '',
  );
  const c = g.timing.cases;
  const vite = c['create-vite']?.summary.median ?? Number.NaN;
  const plop = c['plop-add']?.summary.median ?? Number.NaN;
  const floor = c['node-floor']?.summary.median ?? Number.NaN;
  const viteCpu = c['create-vite']?.cpuMeanMs ?? Number.NaN;
  L.push('| case | median | p25 – p75 | runs | ÷ create-vite | ÷ plop | above the node floor | CPU mean (÷ create-vite) | command |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const x of Object.values(c)) {
    const m = x.summary.median;
    L.push(
      `| ${x.label} | ${fmtMs(m)} | ${iqr(x.summary, fmtMs)} | ${x.summary.n} | ${fmtRatio(m / vite)} | ${fmtRatio(m / plop)} | ${x.id === 'node-floor' ? '—' : fmtMs(m - floor)} | ${fmtMs(x.cpuMeanMs)} (${fmtRatio(x.cpuMeanMs / viteCpu)}) | \`${x.command}\` |`,
    );
  }
  L.push('');
  L.push(
    "CPU mean: user + system CPU time of the process (from the bench's cutime/cstime, 10 ms ticks, so averaged over the runs); " +
      'it shows how much work each command does, less disturbed than wall time by other jobs on the machine.',
    '',
  );
  L.push('Paired ratios (median over rounds of the ratio within one round, with p25 – p75):', '');
  for (const [k, v] of Object.entries(g.ratios)) {
    if (!Number.isFinite(v.ofMedians)) continue;
    L.push(`- ${k}: ${fmtRatio(v.ofMedians)} of medians; paired ${fmtRatio(v.paired.median)} (${iqr(v.paired, fmtRatio)})`);
  }
  L.push('');
  L.push(
    `Plop baseline: plop's own CLI with a plopfile of ${g.plopBaseline.files} \`add\` actions whose templates are our generated files ` +
      '(`{{` escaped, the service name rendered from `{{name}}`); ' +
      (g.plopBaseline.identicalOutput
        ? 'its output was checked to be byte-identical to ours.'
        : `its output differs in: ${g.plopBaseline.mismatches.join(', ')}.`),
    '',
  );
  L.push(
    `Every run writes under ${g.target.base}. Writing the default repo's files in-process (mkdir + writeFileSync, 9 runs): ` +
      Object.entries(g.target.writeMs)
        .map(([k, v]) => `${k} ${fmtMs(v.median)} (${iqr(v, fmtMs)})`)
        .join(', ') +
      '. `npm run bench -- --disk` runs the generation table on the disk instead.',
    '',
  );
  L.push(`Tools: ${g.tools.map((t) => `${t.name} ${t.version} (${t.provenance})`).join('; ')}.`, '');
  for (const n of g.notes) L.push(`- Note: ${n}`);
  if (g.notes.length) L.push('');
}

function renderCompileCache(L: string[], cc: CompileCacheResult): void {
  L.push("## Our code cache against Node's compile cache", '');
  L.push(
    `Node ${Object.values(cc.nodes).join(', ')} (scripts/install-node.sh), the installed tarball; ${cc.timing.rounds} interleaved rounds after ` +
      `${cc.timing.warmup} warm-up round(s), which also fill the caches. Node's variant enables module.enableCompileCache() and requires ` +
      'dist/program.cjs; each case has a cache directory of its own (Node keeps one cache per file, written only while none fits, so ' +
      "sharing one between commands leaves the later commands' code out: this is Node's best case).",
    '',
  );
  L.push(
    "| case | median | p25 – p75 | runs | above `node -e ''` | ÷ no cache, same Node and command | warm cache | command |",
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  const c = cc.timing.cases;
  for (const x of Object.values(c)) {
    const floor = x.id.startsWith('floor-');
    const none = c[x.id.replace(/^\w+-/, 'none-')]?.summary.median ?? Number.NaN;
    const above = floor ? '—' : fmtMs(x.summary.median - (c[`floor-${x.id.split('-')[1]}`]?.summary.median ?? Number.NaN));
    const bytes = cc.cacheBytes[x.id];
    L.push(
      `| ${x.label} | ${fmtMs(x.summary.median)} | ${iqr(x.summary, fmtMs)} | ${x.summary.n} | ${above} | ${floor ? '—' : fmtRatio(x.summary.median / none)} | ${bytes ? fmtBytes(bytes) : '—'} | \`${x.command}\` |`,
    );
  }
  L.push('');
  L.push("Ours ÷ Node's, paired (median over rounds of the ratio within one round, p25 – p75):", '');
  for (const x of Object.values(c)) {
    if (!x.id.startsWith('node-')) continue;
    const ours = x.id.replace(/^node-/, 'ours-');
    const p = pairedRatio(cc.timing, ours, x.id);
    L.push(`- ${x.label.replace(/:.*/, '')}: ${fmtRatio(p.median)} (${iqr(p, fmtRatio)})`);
  }
  L.push('');
  for (const n of cc.notes) L.push(`- Note: ${n}`);
  if (cc.notes.length) L.push('');
}

function renderStartup(L: string[], s: StartupResult): void {
  L.push('## Where our start-up time goes', '');
  L.push(
    'The bundle is built again by `scripts/build.ts` (`buildBundle`, same options, another outdir) with an esbuild metafile of the program; ' +
      'each command runs once to write its code cache, then `node --cpu-prof --cpu-prof-interval 100` gives self time by file ' +
      `(median of ${s.profiles[0]?.runs ?? 0} runs, cache warm).`,
    '',
  );
  L.push('| profiled command | code cache | sampled ms | top self time (ms) |', '|---|---:|---:|---|');
  for (const p of s.profiles) {
    const top = Object.entries(p.selfMs)
      .slice(0, 7)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join('; ');
    const label = /dist\/cli\.cjs (regen|--version)/.exec(p.command)?.[1]?.replace('--', '') ?? 'create';
    const cache = s.codeCacheBytes[label];
    L.push(`| \`${p.command}\` | ${cache === undefined ? 'none' : fmtBytes(cache)} | ${p.totalMs.toFixed(1)} | ${top} |`);
  }
  L.push('');
  L.push('What the bundle holds:', '');
  L.push('| file | bytes | contents (largest first) |', '|---|---:|---|');
  for (const c of s.chunks) {
    L.push(
      `| ${c.file} | ${num(c.bytes)} | ${c.contents
        .slice(0, 8)
        .map((x) => `${x.from} ${fmtBytes(x.bytes)}`)
        .join(', ')} |`,
    );
  }
  L.push('');
  for (const n of s.notes) L.push(`- Note: ${n}`);
  if (s.notes.length) L.push('');
}

function renderFootprint(L: string[], f: FootprintResult): void {
  L.push('## Package footprint', '');
  const v = f.createVite;
  L.push('| figure | ours | create-vite | how |', '|---|---:|---:|---|');
  L.push(
    `| packed tarball | ${num(f.tarball.packedBytes)} B (${fmtBytes(f.tarball.packedBytes)}) | ${v ? `${num(v.packedBytes)} B` : 'n/a'} | \`npm pack --ignore-scripts --json\` |`,
  );
  L.push(
    `| unpacked (files in the tarball) | ${num(f.tarball.unpackedBytes)} B (${fmtBytes(f.tarball.unpackedBytes)}) | ${v ? `${num(v.unpackedBytes)} B` : 'n/a'} | same, \`unpackedSize\` |`,
  );
  L.push(`| files in the tarball | ${f.tarball.entries} | | same, \`entryCount\` |`);
  L.push(
    `| packages installed | ${f.ours.packages} | ${v?.packages ?? 'n/a'} | \`npm install --prefix <clean> --offline <tarball>\`, entries of its package-lock |`,
  );
  L.push(
    `| installed size (node_modules) | ${num(f.ours.installedBytes)} B (${fmtBytes(f.ours.installedBytes)}) | ${v ? `${num(v.installedBytes)} B (${fmtBytes(v.installedBytes)})` : 'n/a'} | apparent size of every file under node_modules |`,
  );
  L.push(
    `| install scripts | ${f.ours.installScripts.length ? f.ours.installScripts.join('; ') : 'none'} | ${v ? v.installScripts.join('; ') || 'none' : 'n/a'} | pre/post/install hooks, hasInstallScript, binding.gyp |`,
  );
  L.push(
    `| install time, median (p25 – p75) | ${fmtMs(f.ours.timeMs.median)} (${iqr(f.ours.timeMs, fmtMs)}) | ${v ? `${fmtMs(v.timeMs.median)} (${iqr(v.timeMs, fmtMs)})` : 'n/a'} | the same install, ${f.ours.timeMs.n} runs each, interleaved, after one warm-up |`,
  );
  L.push('');
  L.push(
    `Runtime dependencies declared: ${
      Object.keys(f.dependencies).length
        ? Object.entries(f.dependencies)
            .map(([k, x]) => `${k}@${x}`)
            .join(', ')
        : 'none'
    }. Packages installed: ${f.ours.packageNames.join(', ')}.`,
    '',
  );
  L.push(
    'Largest files in the tarball: ' +
      f.bundledFiles
        .slice(0, 6)
        .map((x) => `${x.path} ${fmtBytes(x.bytes)}`)
        .join(', ') +
      '.',
    '',
  );
  for (const n of f.notes) L.push(`- Note: ${n}`);
  if (f.notes.length) L.push('');
}

function renderService(L: string[], s: ServiceResult): void {
  L.push('## The generated service against bare net/http', '');
  L.push(
    `Both built in this run with ${s.go}, \`CGO_ENABLED=0 go build ${s.buildFlags}\` (service: \`./cmd/orders\` of the default repo, ` +
      `metrics on; bare: \`bench/go/bare\`). Servers listen on 127.0.0.1 with \`SHUTDOWN_DELAY=0s\`, stdout/stderr to /dev/null ` +
      `(the access log is written, to /dev/null). ${s.metricsEndpoint}.`,
    '',
  );
  const ratio = (a: number, b: number) => fmtRatio(a / b);
  L.push('| figure | service | bare | service ÷ bare | how |', '|---|---:|---:|---:|---|');
  L.push(
    `| stripped binary | ${num(s.binaryBytes.service)} B (${fmtBytes(s.binaryBytes.service)}) | ${num(s.binaryBytes.bare)} B (${fmtBytes(s.binaryBytes.bare)}) | ${ratio(s.binaryBytes.service, s.binaryBytes.bare)} | file size |`,
  );
  L.push(
    `| binary, gzip -6 | ${num(s.binaryGzipBytes.service)} B | ${num(s.binaryGzipBytes.bare)} B | ${ratio(s.binaryGzipBytes.service, s.binaryGzipBytes.bare)} | roughly its compressed image layer |`,
  );
  if (s.noMetricsBinaryBytes !== undefined) {
    L.push(
      `| stripped binary, service generated with --no-metrics | ${num(s.noMetricsBinaryBytes)} B (${fmtBytes(s.noMetricsBinaryBytes)}) | | ${ratio(s.noMetricsBinaryBytes, s.binaryBytes.bare)} | metrics add ${fmtBytes(s.binaryBytes.service - s.noMetricsBinaryBytes)} |`,
    );
  }
  L.push(
    `| build time (informational, cache state varies) | ${s.buildSeconds.service.toFixed(1)} s | ${s.buildSeconds.bare.toFixed(1)} s | | |`,
  );
  L.push(
    `| start to ready, median (p25 – p75) | ${fmtMs(s.readyMs.service.median)} (${iqr(s.readyMs.service, fmtMs)}) | ${fmtMs(s.readyMs.bare.median)} (${iqr(s.readyMs.bare, fmtMs)}) | ${ratio(s.readyMs.service.median, s.readyMs.bare.median)} | \`startprobe\` (bench/go/startprobe): exec → first 200 on /ready (bare: /api/v1/hello), polled every 0.2 ms; ${s.readyMs.service.n} runs each |`,
  );
  L.push(
    `| idle RSS, median | ${num(s.rssKiB.service.median)} KiB | ${num(s.rssKiB.bare.median)} KiB | ${ratio(s.rssKiB.service.median, s.rssKiB.bare.median)} | VmRSS from /proc/<pid>/status after settling, same runs |`,
  );
  if (s.noMetrics) {
    L.push(
      `| start to ready, service generated with --no-metrics | ${fmtMs(s.noMetrics.readyMs.median)} (${iqr(s.noMetrics.readyMs, fmtMs)}) | | ${ratio(s.noMetrics.readyMs.median, s.readyMs.bare.median)} | same rounds, interleaved |`,
    );
    L.push(
      `| idle RSS, service generated with --no-metrics | ${num(s.noMetrics.rssKiB.median)} KiB | | ${ratio(s.noMetrics.rssKiB.median, s.rssKiB.bare.median)} | same rounds |`,
    );
  }
  for (const [k, t] of Object.entries(s.init)) {
    if (!t) continue;
    L.push(
      `| package init before main(), ${k} | ${fmtMs(t.totalMs)} in ${t.packages} packages | | | \`GODEBUG=inittrace=1\`, median of ${t.runs}; largest: ${t.top.map((x) => `${x.pkg} ${x.ms.toFixed(2)} ms`).join(', ')} |`,
    );
  }
  if (s.rssAfterLoadKiB) {
    L.push(
      `| RSS after the load tests | ${num(s.rssAfterLoadKiB.service)} KiB | ${num(s.rssAfterLoadKiB.bare)} KiB | ${ratio(s.rssAfterLoadKiB.service, s.rssAfterLoadKiB.bare)} | VmRSS (informational) |`,
    );
  }
  const lc = s.loadConfig;
  const how =
    lc.kind === 'wrk'
      ? `\`wrk -t${lc.threads} -c${lc.connections} -d${lc.seconds}s --latency URL\``
      : `\`hey -z ${lc.seconds}s -c ${lc.connections} URL\``;
  for (const [route, l] of Object.entries(s.load)) {
    L.push(
      `| ${route} requests/s, median | ${num(l.medians.service.rps)} | ${num(l.medians.bare.rps)} | ${ratio(l.medians.service.rps, l.medians.bare.rps)} | ${how}, ${l.service.length} runs each |`,
    );
    L.push(
      `| ${route} requests/s, paired | | | ${fmtRatio(pairedRpsRatio(l.service, l.bare))} | median over rounds of service ÷ bare in the same round |`,
    );
    L.push(
      `| ${route} server CPU per request, median | ${num(l.medians.service.cpuUsPerReq, 1)} µs | ${num(l.medians.bare.cpuUsPerReq, 1)} µs | ${ratio(l.medians.service.cpuUsPerReq, l.medians.bare.cpuUsPerReq)} | utime + stime of the server over the run ÷ requests; bare ÷ service ${ratio(l.medians.bare.cpuUsPerReq, l.medians.service.cpuUsPerReq)} is the throughput ratio a CPU-bound server would reach without other jobs |`,
    );
    L.push(
      `| ${route} p99 latency, median | ${fmtMs(l.medians.service.p99Ms)} | ${fmtMs(l.medians.bare.p99Ms)} | ${ratio(l.medians.service.p99Ms, l.medians.bare.p99Ms)} | same runs |`,
    );
    L.push(
      `| ${route} p50 latency, median | ${fmtMs(l.medians.service.p50Ms)} | ${fmtMs(l.medians.bare.p50Ms)} | ${ratio(l.medians.service.p50Ms, l.medians.bare.p50Ms)} | same runs |`,
    );
    for (const [label, v] of Object.entries(l.variants ?? {})) {
      L.push(
        `| ${route} ${label} | ${num(v.median.rps)} req/s, p99 ${fmtMs(v.median.p99Ms)}, CPU ${num(v.median.cpuUsPerReq, 1)} µs/request | | ${ratio(v.median.rps, l.medians.bare.rps)} req/s, ${ratio(v.median.cpuUsPerReq, l.medians.bare.cpuUsPerReq)} CPU | same rounds, ${v.runs.length} runs |`,
      );
    }
  }
  L.push('');
  L.push(
    `Load: ${lc.tool.name} ${lc.tool.version} (${lc.tool.provenance}), ${lc.rounds} rounds; each round runs every route against both servers in a shuffled order; ${lc.pinned}. ` +
      'Every single run: ' +
      Object.entries(s.load)
        .map(
          ([route, l]) =>
            `${route} service ${l.service.map((x) => num(x.rps)).join('/')}, bare ${l.bare.map((x) => num(x.rps)).join('/')}` +
            Object.entries(l.variants ?? {})
              .map(([label, v]) => `, ${label} ${v.runs.map((x) => num(x.rps)).join('/')}`)
              .join('') +
            ' req/s',
        )
        .join('; ') +
      '.',
    '',
  );
  if (s.fixedRate) {
    const fr = s.fixedRate;
    const each = (xs: { cpuUsPerReq: number }[]) =>
      xs.map((x) => (Number.isFinite(x.cpuUsPerReq) ? x.cpuUsPerReq.toFixed(2) : 'invalid')).join('/');
    L.push(
      `CPU per request at a fixed rate: \`bench/go/fixedrate\` (open loop, requests due at start + i/rate, latency from when each was due) sends ` +
        `${num(fr.requestsPerRun)} requests to ${fr.route} at ${num(fr.rate)} req/s (${(fr.share * 100).toFixed(0)} % of the slower server's full-load median), ` +
        `the service and the hand-written server in ${fr.rounds} interleaved rounds (shuffled order); the server's CPU is the sum of its threads' ` +
        `on-CPU ns (/proc/<pid>/task/*/schedstat) over the run. Service ${fr.comparison.a.median.toFixed(2)} µs per request ` +
        `(p25–p75 ${fr.comparison.a.p25.toFixed(2)}–${fr.comparison.a.p75.toFixed(2)}), hand-written ${fr.comparison.b.median.toFixed(2)} µs ` +
        `(${fr.comparison.b.p25.toFixed(2)}–${fr.comparison.b.p75.toFixed(2)}); paired ratio ${fmtRatio(fr.comparison.ratio.median)} ` +
        `(${fmtRatio(fr.comparison.ratio.min)}–${fmtRatio(fr.comparison.ratio.max)}). Every run, µs per request: service ${each(fr.service)}; ` +
        `hand-written ${each(fr.handwritten)}; requests skipped (due while ${num(FIXED_RATE_INFLIGHT)} were outstanding): service ${fr.service.map((x) => x.skipped).join('/')}, hand-written ${fr.handwritten.map((x) => x.skipped).join('/')} of ${num(fr.requestsPerRun)}. p99 latency, medians: service ${fmtMs(median(fr.service.map((x) => x.p99Ms)))}, ` +
        `hand-written ${fmtMs(median(fr.handwritten.map((x) => x.p99Ms)))}.`,
      '',
    );
  }
  L.push(
    `Image estimate: binary ${num(s.binaryBytes.service)} B + base ${num(s.imageEstimate.baseBytes)} B = ${num(s.imageEstimate.totalBytes)} B (${fmtBytes(s.imageEstimate.totalBytes)}); ` +
      `base: ${s.imageEstimate.baseSource}. That counts the binary uncompressed; with its layer gzipped the pushed image would be about ` +
      `${fmtBytes(s.binaryGzipBytes.service + s.imageEstimate.baseBytes)} (binary gzip -6 ${num(s.binaryGzipBytes.service)} B + base).`,
    '',
  );
  renderSizeBreakdown(L, s);
  L.push(`Modules linked into the service: ${s.modules.join(', ')}.`, '');
  L.push(
    'Responses compared: ' +
      Object.entries(s.responses)
        .map(([r, x]) => `${r} service \`${x.service}\`, bare \`${x.bare}\``)
        .join('; ') +
      '.',
    '',
  );
  for (const n of s.notes) L.push(`- Note: ${n}`);
  if (s.notes.length) L.push('');
}

/** Where the image bytes go: the base layer, then the binary by module (bench/lib/binsize.ts). */
function renderSizeBreakdown(L: string[], s: ServiceResult): void {
  const b = s.sizeBreakdown;
  if (!b?.service) return;
  const t = b.tracing;
  L.push(
    '### Where the image bytes go',
    '',
    'By module: the bytes of its symbols in the file (code, read-only data, data) plus its share of `.gopclntab` (function tables ' +
      'and line numbers, shared out by code size), from `go tool nm -size` of the same build without `-s -w`. Go 1.26 does not name ' +
      'type descriptors and string data symbol by symbol (`type:*`, `go:string.*`), so they sit in the "not attributed" row with the ELF headers.',
    '',
    `| part | default (metrics on) | ${t ? 'tracing |' : ''}`,
    `|---|---:|${t ? '---:|' : ''}`,
  );
  const cell = (n: number | undefined) => (n === undefined ? '' : `${num(n)} B |`);
  L.push(
    `| **base image** (distroless static, compressed, published figure) | ${num(s.imageEstimate.baseBytes)} B | ${t ? `${num(s.imageEstimate.baseBytes)} B |` : ''}`,
  );
  L.push(`| **binary** (stripped) | ${num(b.service.fileBytes)} B | ${cell(t?.fileBytes)}`);
  const mods = [...new Set([...b.service.rows, ...(t?.rows ?? [])].map((r) => r.module))];
  const total = (x: SizeBreakdown | undefined, m: string) => x?.rows.find((r) => r.module === m)?.total ?? 0;
  mods.sort((x, y) => Math.max(total(b.service, y), total(t, y)) - Math.max(total(b.service, x), total(t, x)));
  const shown = mods.filter((m) => Math.max(total(b.service, m), total(t, m)) >= 50_000);
  for (const m of shown) L.push(`| ${m} | ${num(total(b.service, m))} B | ${t ? `${num(total(t, m))} B |` : ''}`);
  const rest = (x: SizeBreakdown) => x.rows.filter((r) => !shown.includes(r.module)).reduce((n, r) => n + r.total, 0);
  L.push(`| ${mods.length - shown.length} smaller modules | ${num(rest(b.service))} B | ${t ? `${num(rest(t))} B |` : ''}`);
  L.push(`| not attributed (type descriptors, strings, ELF headers) | ${num(b.service.unattributed)} B | ${cell(t?.unattributed)}`);
  L.push('');
}

function renderDatabase(L: string[], d: DatabaseResult): void {
  L.push('## The example database route against a hand-written pgx handler', '');
  L.push(
    `\`GET ${d.route}\` of a repo generated with \`--database postgres\` (metrics on, LOG_LEVEL=warn) against ` +
      '`bench/database/pgxbare` (the same query and JSON on a bare pgx pool), both with a pool of ' +
      `${d.pool} connections to one throwaway PostgreSQL ${d.postgres} cluster on this machine; ${d.loadConfig.tool.name}, ` +
      `${d.loadConfig.connections} connections, ${d.loadConfig.rounds} interleaved rounds of ${d.loadConfig.seconds} s; ${d.loadConfig.pinned}.`,
    '',
  );
  L.push('| server | req/s (median) | p50 | p99 | errors |', '|---|---|---|---|---|');
  for (const [label, m] of [
    ['generated service', d.medians.service],
    ['hand-written pgx', d.medians.pgx],
  ] as const) {
    L.push(`| ${label} | ${num(m.rps)} | ${fmtMs(m.p50Ms)} | ${fmtMs(m.p99Ms)} | ${m.errors} |`);
  }
  L.push('', `Throughput ratio (service ÷ pgx, paired by round): ${fmtRatio(pairedRpsRatio(d.runs.service, d.runs.pgx))}.`, '');
  for (const n of d.notes) L.push(`- ${n}`);
  if (d.notes.length) L.push('');
}

function renderReference(L: string[], x: ReferenceResult): void {
  L.push('## The generated service against the same work by hand (bench/reference.ts)', '');
  L.push(
    `\`bench/go/handwritten\`: net/http with the service's timeouts, limits, request deadline and panic recovery, one zerolog access line ` +
      `with the same fields, client_golang counter and histogram by method/route/code on an admin port, /healthz, /ready, graceful shutdown. ` +
      `${x.rounds} interleaved rounds; ${x.go}.`,
    '',
  );
  L.push('| figure | service | hand-written | ratio (median, min–max over rounds) |', '|---|---:|---:|---:|');
  L.push(
    `| stripped binary | ${num(x.binaryBytes.service)} B | ${num(x.binaryBytes.handwritten)} B | ${(x.binaryBytes.service / x.binaryBytes.handwritten).toFixed(3)}× |`,
  );
  L.push(
    `| RSS after ${num(x.requests)} requests, median | ${num(x.rssKiB.service.median)} KiB | ${num(x.rssKiB.handwritten.median)} KiB | ${(x.rssKiB.service.median / x.rssKiB.handwritten.median).toFixed(3)}× |`,
  );
  L.push(
    `| server CPU per request (schedstat), median | ${num(x.cpuUsPerRequest.service.median, 1)} µs | ${num(x.cpuUsPerRequest.handwritten.median, 1)} µs | ${ratioOf(x.cpuRatio)} |`,
  );
  if (x.instructions) {
    const i = x.instructions;
    L.push(
      `| instructions per request (cachegrind), median | ${num(i.perRequest.service.median)} | ${num(i.perRequest.handwritten.median)} | ${ratioOf(i.ratio)} |`,
    );
    L.push('', `Instructions: ${i.how}.`);
  } else {
    L.push('', `Instructions: skipped (${x.instructionsSkipped}).`);
  }
  L.push('');
}
