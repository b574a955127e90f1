// The one table of output files. Creation, group generators, regen, --dry-run and the
// record's hash list all read it.
import { presetMessage, presetOf, presetPathProblem, PresetError } from '../presets/model/preset.js';
import type { Answers } from './questions.js';

/** `preset`: the files a preset adds (preset.ts); its replacements keep our file's group. */
export const GROUPS = ['go', 'docs', 'dockerfile', 'chart', 'makefile', 'ci', 'config', 'preset'] as const;
export type Group = (typeof GROUPS)[number];

export interface OutputFile {
  /** Path in the generated repo; `<name>` stands for the service name. */
  path: string;
  group: Group;
  /** The file exists only when this holds. */
  when?: (a: Answers) => boolean;
  /**
   * 'hbs': a Handlebars template (`<path>.hbs`).
   * 'chart': a Helm template copied as is, with `<CHARTNAME>` replaced (as `helm create` does),
   * so Go template syntax never meets Handlebars.
   * 'preset': a file the active preset adds, rendered from its own template.
   * 'pins': go.mod or go.sum, rendered from the pinned dependencies (render/go-pins.json).
   */
  engine: 'hbs' | 'chart' | 'preset' | 'pins';
  /** 'regenerable' files follow the templates; 'once' files belong to the team after creation. */
  lifecycle: 'regenerable' | 'once';
}

const hbs = (path: string, group: Group, when?: (a: Answers) => boolean): OutputFile => ({
  path,
  group,
  when,
  engine: 'hbs',
  lifecycle: 'regenerable',
});
/** A file the team owns after creation: regen writes it only when it is missing. */
const once = (path: string, group: Group, when?: (a: Answers) => boolean): OutputFile => ({
  path,
  group,
  when,
  engine: 'hbs',
  lifecycle: 'once',
});
/** go.mod and go.sum: data (the pins), not templates. */
const pins = (path: 'go.mod' | 'go.sum'): OutputFile => ({ path, group: 'go', engine: 'pins', lifecycle: 'regenerable' });
const chart = (path: string, when?: (a: Answers) => boolean): OutputFile => ({
  path: `charts/<name>/templates/${path}`,
  group: 'chart',
  when,
  engine: 'chart',
  lifecycle: 'regenerable',
});

const metrics = (a: Answers) => a.metrics;
const tracing = (a: Answers) => a.tracing;
const postgres = (a: Answers) => a.database === 'postgres';
const gitops = (a: Answers) => a.deploy === 'gitops';

export const FILES: readonly OutputFile[] = [
  // go
  pins('go.mod'),
  pins('go.sum'),
  hbs('cmd/<name>/main.go', 'go'),
  hbs('cmd/<name>/main_test.go', 'go'),
  hbs('internal/api/api.go', 'go'),
  // The team's routes: written once, never merged (api.Register calls it).
  once('internal/api/routes.go', 'go'),
  hbs('internal/api/hello.go', 'go'),
  hbs('internal/api/hello_test.go', 'go'),
  hbs('internal/app/app.go', 'go'),
  hbs('internal/app/app_test.go', 'go'),
  // Every route of the service, the team's by a call to api.RegisterRoutes (routes.go above).
  hbs('internal/app/routes.go', 'go'),
  // The options' seams: options.go lists them, each has a file that wires it in.
  hbs('internal/app/options.go', 'go'),
  hbs('internal/app/metrics.go', 'go', metrics),
  hbs('internal/app/tracing.go', 'go', tracing),
  hbs('internal/app/runtime.go', 'go'),
  // GOMAXPROCS: automaxprocs compiled in (--automaxprocs), or left to the Go runtime.
  hbs('internal/app/automaxprocs.go', 'go', (a) => a.automaxprocs),
  hbs('internal/app/gomaxprocs.go', 'go', (a) => !a.automaxprocs),
  hbs('internal/app/gomaxprocs_test.go', 'go', (a) => !a.automaxprocs),
  hbs('internal/app/workers.go', 'go'),
  hbs('internal/app/workers_test.go', 'go'),
  // The outbound client, in every service: calling another service well is not a database
  // matter (docs/decisions/0012).
  hbs('internal/client/client.go', 'go'),
  hbs('internal/client/client_test.go', 'go'),
  hbs('internal/client/metrics.go', 'go', metrics),
  hbs('internal/buildinfo/buildinfo.go', 'go'),
  hbs('internal/buildinfo/buildinfo_test.go', 'go'),
  hbs('internal/config/config.go', 'go'),
  hbs('internal/config/config_test.go', 'go'),
  hbs('internal/health/health.go', 'go'),
  hbs('internal/health/health_test.go', 'go'),
  hbs('internal/httpserver/middleware.go', 'go'),
  hbs('internal/httpserver/middleware_test.go', 'go'),
  hbs('internal/httpserver/server.go', 'go'),
  hbs('internal/httpserver/server_test.go', 'go'),
  hbs('internal/logging/logging.go', 'go'),
  hbs('internal/logging/logging_test.go', 'go'),
  // Go's profiles on the admin port, in builds with -tags pprof only.
  hbs('internal/profiling/doc.go', 'go'),
  hbs('internal/profiling/pprof.go', 'go'),
  hbs('internal/profiling/pprof_off.go', 'go'),
  hbs('internal/profiling/pprof_test.go', 'go'),
  hbs('internal/profiling/pprof_off_test.go', 'go'),
  hbs('internal/metrics/metrics.go', 'go', metrics),
  hbs('internal/metrics/metrics_test.go', 'go', metrics),
  hbs('internal/tracing/tracing.go', 'go', tracing),
  hbs('internal/tracing/tracing_test.go', 'go', tracing),
  // The OTLP gRPC exporter, in builds with -tags otlpgrpc only.
  hbs('internal/tracing/otlpgrpc.go', 'go', tracing),
  hbs('internal/tracing/otlpgrpc_off.go', 'go', tracing),
  hbs('internal/tracing/otlpgrpc_test.go', 'go', tracing),
  hbs('internal/tracing/otlpgrpc_off_test.go', 'go', tracing),
  // database (--database postgres)
  hbs('cmd/<name>/migrate.go', 'go', postgres),
  hbs('internal/api/notes.go', 'go', postgres),
  hbs('internal/api/notes_test.go', 'go', postgres),
  hbs('internal/app/database.go', 'go', postgres),
  hbs('internal/config/database.go', 'go', postgres),
  hbs('internal/config/database_test.go', 'go', postgres),
  hbs('internal/database/database.go', 'go', postgres),
  hbs('internal/database/database_test.go', 'go', postgres),
  hbs('internal/database/metrics.go', 'go', (a) => postgres(a) && a.metrics),
  hbs('internal/database/migrate.go', 'go', postgres),
  // The team's after creation: an applied migration must never change under it.
  once('internal/database/migrations/00001_create_notes.sql', 'go', postgres),
  hbs('internal/database/notes.go', 'go', postgres),
  // The queries' spans (database_query_duration_seconds is in metrics.go).
  hbs('internal/database/tracing.go', 'go', (a) => postgres(a) && a.tracing),
  // docs and config
  hbs('README.md', 'docs'),
  hbs('.env.example', 'docs'),
  hbs('catalog-info.yaml', 'docs'),
  hbs('.gitignore', 'config'),
  hbs('.gitattributes', 'config'),
  hbs('.editorconfig', 'config'),
  hbs('.golangci.yml', 'config'),
  hbs('renovate.json', 'config'),
  // container
  hbs('Dockerfile', 'dockerfile'),
  hbs('.dockerignore', 'dockerfile'),
  hbs('compose.yaml', 'dockerfile'),
  // build
  hbs('Makefile', 'makefile'),
  hbs('scripts/render-manifests.go', 'makefile', gitops),
  hbs('scripts/publish-manifests.sh', 'makefile', gitops),
  // ci
  hbs('.github/workflows/ci.yml', 'ci', (a) => a.ci === 'github'),
  hbs('.gitlab-ci.yml', 'ci', (a) => a.ci === 'gitlab'),
  hbs('.github/workflows/generator-update.yml', 'ci', (a) => a.ci === 'github' && a.updateJob === true),
  // chart
  hbs('charts/<name>/Chart.yaml', 'chart'),
  hbs('charts/<name>/values.yaml', 'chart'),
  once('charts/<name>/values-dev.yaml', 'chart'),
  once('charts/<name>/values-staging.yaml', 'chart'),
  once('charts/<name>/values-prod.yaml', 'chart'),
  hbs('charts/<name>/values.schema.json', 'chart'),
  hbs('charts/<name>/README.md', 'chart'),
  hbs('charts/<name>/.helmignore', 'chart'),
  chart('_helpers.tpl'),
  chart('NOTES.txt'),
  chart('deployment.yaml'),
  chart('configmap.yaml'),
  chart('service.yaml'),
  chart('serviceaccount.yaml'),
  chart('hpa.yaml'),
  chart('pdb.yaml'),
  chart('ingress.yaml'),
  chart('httproute.yaml'),
  chart('networkpolicy.yaml'),
  chart('servicemonitor.yaml', metrics),
  chart('tests/test-connection.yaml'),
];

/**
 * Why the service cannot work without this file, or undefined: `remove` is for opt-outs
 * (compose.yaml, hpa.yaml, the catalog entry), not for the files that build, ship and deploy it.
 */
export function essentialReason(file: Pick<OutputFile, 'path' | 'group'>): string | undefined {
  if (file.group === 'go') return 'the Go module does not build or run without it';
  if (file.path === 'Dockerfile') return 'the image is built from it';
  if (file.path === 'Makefile') return 'the platform and CI call its targets by name';
  const chart = /^charts\/<name>\/(Chart\.yaml|values\.yaml|templates\/(_helpers\.tpl|deployment\.yaml|service\.yaml))$/.exec(file.path);
  if (chart) return 'the chart does not render or deploy the service without it';
  return undefined;
}

/** The path a file gets for these answers. */
export function outputPath(file: OutputFile, a: Pick<Answers, 'name'>): string {
  return file.path.replaceAll('<name>', a.name);
}

/**
 * Where a file's template lives: the output path with `<name>` as `__name__`, leading dots
 * of path segments as `dot_` (npm drops `.gitignore` from packages) and `.hbs` for Handlebars.
 */
export function templatePath(file: OutputFile): string {
  const mapped = file.path
    .split('/')
    .map((seg) => seg.replaceAll('<name>', '__name__').replace(/^\./, 'dot_'))
    .join('/');
  return file.engine === 'hbs' ? `${mapped}.hbs` : mapped;
}

/** The files that exist for these answers, in table order, then the active preset's own. */
export function filesFor(a: Answers): OutputFile[] {
  return [...FILES.filter((f) => !f.when || f.when(a)), ...presetFiles(a)];
}

/** Files the answers' preset adds: its templates whose paths are not in our table. */
function presetFiles(a: Answers): OutputFile[] {
  const p = presetOf(a);
  if (!p) return [];
  const ours = new Set(FILES.map((f) => f.path));
  return p.preset.templates
    .filter((t) => !ours.has(t.path))
    .map((t) => {
      // Checked when the preset loads; again here, where its paths join the table that is written.
      const problem = presetPathProblem(t.path);
      if (problem) throw new PresetError(presetMessage(p.preset, `${t.file} would write ${t.path}: ${problem}`));
      return { path: t.path, group: 'preset', engine: 'preset', lifecycle: 'regenerable' } as OutputFile;
    });
}
