// The one registry of questions. Prompts, CLI flags, --help, validation of flags and
// answers files, and the record written into the generated repo are all derived from it.
import { defaultOwner, entityRefProblem } from './catalog.js';
import * as rules from './validate.js';

export const CI_PROVIDERS = ['github', 'gitlab', 'none'] as const;
export const BASE_IMAGES = ['distroless', 'scratch', 'alpine'] as const;
/** Backstage's well-known lifecycle values. */
export const LIFECYCLES = ['experimental', 'production', 'deprecated'] as const;
export const DATABASES = ['none', 'postgres'] as const;
export const DEPLOY_MODES = ['helm', 'gitops'] as const;

export interface Answers {
  name: string;
  module: string;
  description: string;
  goVersion: string;
  port: number;
  image: string;
  ci: (typeof CI_PROVIDERS)[number];
  baseImage: (typeof BASE_IMAGES)[number];
  metrics: boolean;
  tracing: boolean;
  /**
   * Compile go.uber.org/automaxprocs in, switched on at run time by AUTOMAXPROCS=true; without
   * it GOMAXPROCS is the Go runtime's. On by default, so records from before 0.6.0 (absent) keep
   * the switch they had.
   */
  automaxprocs: boolean;
  /** Sign the pushed image with cosign; absent when ci is 'none' (no CI, nothing to sign). */
  sign?: boolean;
  /**
   * A scheduled CI job that runs `update --bot` and opens one pull/merge request (for teams
   * without self-hosted Renovate); absent when ci is 'none'.
   */
  updateJob?: boolean;
  /** catalog-info.yaml: the owning group or user, a Backstage entity reference. */
  owner: string;
  /** catalog-info.yaml: the system the service belongs to; '' for none. */
  system: string;
  lifecycle: (typeof LIFECYCLES)[number];
  /** The database the service owns: 'postgres' adds a pool, migrations and a readiness check. */
  database: (typeof DATABASES)[number];
  /** helm: `make deploy` runs helm upgrade; gitops: rendered manifests published to an environment repository. */
  deploy: (typeof DEPLOY_MODES)[number];
}

export type AnswerKey = keyof Answers;

/** What defaults may depend on besides earlier answers. */
// What the machine says about defaults lives with its detection (environment.ts), which imports
// nothing from here: model/ has no import circle.
export type { Environment } from './environment.js';
import type { Environment } from './environment.js';

interface Common<K extends AnswerKey> {
  key: K;
  /** Flag name without dashes. */
  flag: string;
  /** Prompt text. */
  message: string;
  /** One line for --help. */
  help: string;
  /** Placeholder shown in --help for a value flag. */
  placeholder?: string;
  default?: (answers: Partial<Answers>, env: Environment) => Answers[K];
  /** The question applies only when this holds for the earlier answers. */
  when?: (answers: Partial<Answers>) => boolean;
  rule: rules.Rule<Answers[K]>;
}

export type StringQuestion<K extends AnswerKey> = Common<K> & { type: 'string' };
export type NumberQuestion<K extends AnswerKey> = Common<K> & { type: 'number' };
export type BooleanQuestion<K extends AnswerKey> = Common<K> & { type: 'boolean' };
export type ChoiceQuestion<K extends AnswerKey> = Common<K> & {
  type: 'choice';
  choices: readonly { value: Answers[K] & string; label: string }[];
};

export type Question<K extends AnswerKey = AnswerKey> = StringQuestion<K> | NumberQuestion<K> | BooleanQuestion<K> | ChoiceQuestion<K>;

type Registry = { [K in AnswerKey]: Question<K> };

/** The container registry of each code host whose CI gets a registry with the repository. */
const HOST_REGISTRIES: Record<string, string> = { 'github.com': 'ghcr.io', 'gitlab.com': 'registry.gitlab.com' };

/**
 * The repository's own registry: `github.com/acme/svc` → `ghcr.io/acme/svc`, `gitlab.com/acme/shop/svc`
 * → `registry.gitlab.com/acme/shop/svc` (GitLab's $CI_REGISTRY_IMAGE), so CI can push with its own
 * token; anything else gets a placeholder registry.
 */
export function defaultImage(module: string | undefined, name: string): string {
  const parts = (module ?? '').split('/');
  const registry = HOST_REGISTRIES[parts[0] ?? ''];
  if (registry && parts.length >= 3) {
    const candidate = `${registry}/${parts.slice(1).join('/').toLowerCase()}`;
    if (!rules.imageRepository(candidate)) return candidate;
  }
  return `registry.example.com/${name}`;
}

const registry: Registry = {
  name: {
    key: 'name',
    type: 'string',
    flag: 'name',
    message: 'Service name (directory, binary, Kubernetes and Helm name)',
    help: "service name: a DNS-1123 label of at most 53 characters; defaults to the target directory's name",
    placeholder: 'name',
    rule: rules.serviceName,
  },
  module: {
    key: 'module',
    type: 'string',
    flag: 'module',
    message: 'Go module path',
    help: 'Go module path (default: github.com/example/<name>)',
    placeholder: 'path',
    default: (a) => `github.com/example/${a.name}`,
    rule: rules.modulePath,
  },
  description: {
    key: 'description',
    type: 'string',
    flag: 'description',
    message: 'One-line description',
    help: 'one-line description for the README, Chart.yaml and --help of the service',
    placeholder: 'text',
    default: (a) => `${a.name} is a Go service for Kubernetes.`,
    rule: rules.description,
  },
  goVersion: {
    key: 'goVersion',
    type: 'string',
    flag: 'go-version',
    message: 'Go version',
    help: `Go minor version for go.mod, the Dockerfile and CI, 1.${rules.MIN_GO_MINOR} to 1.${rules.LATEST_GO_MINOR}, the newest released (or a newer local Go's) (default: the local Go's, else 1.26)`,
    placeholder: '1.N',
    // A local Go older than the minimum is no good default: fall back to the current release.
    default: (_a, env) => (env.localGoVersion && !rules.goVersion(env.localGoVersion) ? env.localGoVersion : '1.26'),
    rule: rules.goVersion,
  },
  port: {
    key: 'port',
    type: 'number',
    flag: 'port',
    message: 'HTTP port',
    help: 'HTTP port the service listens on, 1024-65535 (default: 8080)',
    placeholder: 'n',
    default: () => 8080,
    rule: rules.port,
  },
  image: {
    key: 'image',
    type: 'string',
    flag: 'image',
    message: 'Container image repository (no tag)',
    help: 'container image repository without tag, where CI pushes and deploys pull (default: ghcr.io/... for github.com modules, registry.gitlab.com/... for gitlab.com)',
    placeholder: 'repo',
    default: (a) => defaultImage(a.module, a.name ?? 'service'),
    rule: rules.imageRepository,
  },
  ci: {
    key: 'ci',
    type: 'choice',
    flag: 'ci',
    message: 'CI provider',
    help: 'CI file to write: github, gitlab or none (default: github)',
    placeholder: 'provider',
    choices: [
      { value: 'github', label: 'GitHub Actions' },
      { value: 'gitlab', label: 'GitLab CI' },
      { value: 'none', label: 'none' },
    ],
    default: () => 'github',
    rule: rules.oneOf(CI_PROVIDERS),
  },
  baseImage: {
    key: 'baseImage',
    type: 'choice',
    flag: 'base-image',
    message: 'Runtime base image',
    help: 'runtime image: distroless (static nonroot), scratch or alpine (default: distroless)',
    placeholder: 'image',
    choices: [
      { value: 'distroless', label: 'distroless static, nonroot (recommended)' },
      { value: 'scratch', label: 'scratch (CA certificates and a numeric user only)' },
      { value: 'alpine', label: 'alpine (has a shell for debugging)' },
    ],
    default: () => 'distroless',
    rule: rules.oneOf(BASE_IMAGES),
  },
  metrics: {
    key: 'metrics',
    type: 'boolean',
    flag: 'metrics',
    message: 'Expose Prometheus metrics on /metrics?',
    help: 'Prometheus metrics on /metrics with RED series and a ServiceMonitor (default: on)',
    default: () => true,
    rule: () => undefined,
  },
  tracing: {
    key: 'tracing',
    type: 'boolean',
    flag: 'tracing',
    message: 'Trace requests with OpenTelemetry (OTLP)?',
    help: 'OpenTelemetry tracing, configured by the standard OTEL_* variables (default: off)',
    default: () => false,
    rule: () => undefined,
  },
  automaxprocs: {
    key: 'automaxprocs',
    type: 'boolean',
    flag: 'automaxprocs',
    message: 'Compile automaxprocs in (AUTOMAXPROCS=true switches it on)?',
    help: 'compile go.uber.org/automaxprocs in, switched on by AUTOMAXPROCS=true at run time: GOMAXPROCS rounded down from the CPU limit, for latency-bound services below one CPU (default: on; --no-automaxprocs leaves it out of the binary and go.mod, and AUTOMAXPROCS=true is then refused at start)',
    default: () => true,
    rule: () => undefined,
  },
  sign: {
    key: 'sign',
    type: 'boolean',
    flag: 'sign',
    message: 'Sign the pushed image with cosign (keyless, by digest)?',
    help: 'sign the pushed image by digest with cosign keyless (GitHub OIDC / GitLab id_tokens)',
    default: () => false,
    // Signing happens in CI: without a CI file there is nothing to ask.
    when: (a) => a.ci !== 'none',
    rule: () => undefined,
  },
  updateJob: {
    key: 'updateJob',
    type: 'boolean',
    flag: 'update-job',
    message: 'Add a scheduled CI job that opens generator update pull requests (without self-hosted Renovate)?',
    help: 'a weekly CI job that runs `update --bot` and opens or refreshes one pull/merge request, for teams without self-hosted Renovate (default: off)',
    default: () => false,
    // The job is a CI job: without a CI file there is nothing to ask.
    when: (a) => a.ci !== 'none',
    rule: () => undefined,
  },
  owner: {
    key: 'owner',
    type: 'string',
    flag: 'owner',
    message: 'Owner in the service catalog (Backstage group or user)',
    help: 'owner in catalog-info.yaml, a Backstage entity reference [group:|user:][namespace/]name (default: group:default/<org> from the module path, e.g. github.com/acme/... gives acme)',
    placeholder: 'ref',
    default: (a) => defaultOwner(a.module, a.name ?? 'service'),
    rule: (v) => entityRefProblem(v, ['group', 'user']),
  },
  system: {
    key: 'system',
    type: 'string',
    flag: 'system',
    message: 'System in the service catalog (empty for none)',
    help: 'system the service belongs to in catalog-info.yaml, a Backstage entity reference [system:][namespace/]name (default: none)',
    placeholder: 'ref',
    default: () => '',
    rule: (v) => (v === '' ? undefined : entityRefProblem(v, ['system'])),
  },
  lifecycle: {
    key: 'lifecycle',
    type: 'choice',
    flag: 'lifecycle',
    message: 'Lifecycle in the service catalog',
    help: 'lifecycle in catalog-info.yaml: experimental, production or deprecated (default: experimental)',
    placeholder: 'stage',
    choices: [
      { value: 'experimental', label: 'experimental (early, not yet relied on)' },
      { value: 'production', label: 'production' },
      { value: 'deprecated', label: 'deprecated (on its way out)' },
    ],
    default: () => 'experimental',
    rule: rules.oneOf(LIFECYCLES),
  },
  database: {
    key: 'database',
    type: 'choice',
    flag: 'database',
    message: 'Database',
    help: 'database the service owns: postgres (pgx pool, embedded migrations, readiness check) or none (default: none)',
    placeholder: 'db',
    choices: [
      { value: 'none', label: 'none' },
      { value: 'postgres', label: 'PostgreSQL (pgx pool, goose migrations, readiness check)' },
    ],
    default: () => 'none',
    rule: rules.oneOf(DATABASES),
  },
  deploy: {
    key: 'deploy',
    type: 'choice',
    flag: 'deploy',
    message: 'How environments are deployed',
    help: 'deploy: helm (make deploy runs helm upgrade) or gitops (CI renders manifests per environment into an environment repository) (default: helm)',
    placeholder: 'mode',
    choices: [
      { value: 'helm', label: 'helm upgrade from make deploy / CI' },
      { value: 'gitops', label: 'GitOps: rendered manifests in an environment repository (Argo CD / Flux)' },
    ],
    default: () => 'helm',
    rule: rules.oneOf(DEPLOY_MODES),
  },
};

/** Questions in the order they are asked. */
export const QUESTIONS: readonly Question[] = [
  registry.name,
  registry.module,
  registry.description,
  registry.goVersion,
  registry.port,
  registry.image,
  registry.ci,
  registry.baseImage,
  registry.metrics,
  registry.tracing,
  registry.automaxprocs,
  registry.sign,
  registry.updateJob,
  registry.database,
  registry.deploy,
  registry.owner,
  registry.system,
  registry.lifecycle,
] as Question[];

export function question<K extends AnswerKey>(key: K): Question<K> {
  return registry[key] as Question<K>;
}
