// What the Backstage catalog file (catalog-info.yaml) says about a repo besides the answers:
// the entity reference formats Backstage accepts, the owner a module path suggests, and the
// source annotations and links a github.com or gitlab.com module path gives.

/** Backstage's entity name: 1-63 of [A-Za-z0-9-_.], starting and ending with a letter or digit. */
const ENTITY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** Backstage's namespace: a DNS-1123 label. */
const NAMESPACE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX = 63;

/**
 * Why `[kind:][namespace/]name` is not an entity reference of one of `kinds` (lowercase),
 * or undefined when it is.
 */
export function entityRefProblem(ref: string, kinds: readonly string[]): string | undefined {
  const m = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  const shape = `must be an entity reference [${kinds.join('|')}:][namespace/]name`;
  if (!m) return shape;
  const [, kind, namespace, name] = m;
  if (kind !== undefined && !kinds.includes(kind.toLowerCase())) return `${shape}: the kind must be ${kinds.join(' or ')}`;
  if (namespace !== undefined && (namespace.length > MAX || !NAMESPACE.test(namespace))) {
    return `${shape}: the namespace must be a DNS label (lowercase letters, digits, "-"), at most ${MAX} characters`;
  }
  if (name!.length > MAX || !ENTITY_NAME.test(name!)) {
    return `${shape}: the name must be 1-${MAX} letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** An entity name made of any text: invalid characters become "-", cut to 63 characters. */
function toEntityName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .slice(0, MAX)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/**
 * The owner a module path suggests: the organisation or group that owns the repository
 * (`github.com/acme/orders` → `group:default/acme`), or for a two-element path the name of
 * the host's domain (`go.acme.example/orders` → `group:default/acme`).
 */
export function defaultOwner(module: string | undefined, name: string): string {
  const parts = (module ?? '').split('/');
  const labels = (parts[0] ?? '').split('.');
  const candidate = toEntityName(parts.length >= 3 ? parts[1]! : (labels.at(-2) ?? labels[0]!));
  return `group:default/${candidate || toEntityName(name) || 'unknown'}`;
}

export interface SourceRepo {
  host: 'github.com' | 'gitlab.com' | 'bitbucket.org';
  /** owner/repo on GitHub, the project's full path on GitLab. */
  slug: string;
  /** The repository's web address. */
  url: string;
  /** The module's directory in the repository, '' at its root. */
  dir: string;
}

/**
 * The repository a github.com or gitlab.com module lives in. GitHub repos are two elements
 * deep (more is a directory in it); a GitLab project may sit in subgroups, so the whole path
 * is the project. A major version suffix (/v2) names no directory.
 */
export function sourceRepo(module: string): SourceRepo | undefined {
  const parts = module.split('/');
  if (/^v\d+$/.test(parts.at(-1)!) && parts.length > 3) parts.pop();
  const host = parts[0];
  if ((host !== 'github.com' && host !== 'gitlab.com' && host !== 'bitbucket.org') || parts.length < 3) return undefined;
  // GitHub and Bitbucket: owner/repo; GitLab: the whole path (subgroups).
  const repoParts = host === 'gitlab.com' ? parts.slice(1) : parts.slice(1, 3);
  const slug = repoParts.join('/');
  return { host, slug, url: `https://${host}/${slug}`, dir: parts.slice(1 + repoParts.length).join('/') };
}

/** Every key is present (templates are strict): false or '' where there is nothing. */
export interface CatalogContext {
  source:
    | false
    | {
        /** github.com/project-slug, gitlab.com/project-slug; '' where Backstage knows none. */
        slugAnnotation: string;
        slug: string;
        /** backstage.io/source-location: the repository, or the module's directory in it. */
        location: string;
        icon: string;
        url: string;
        /** Where CI runs show, when the repo has a CI file for this host ('' otherwise). */
        ciUrl: string;
      };
}

/**
 * `sourceUrl`: the repository's URL on a host this does not know, from a preset
 * (catalog.sourceLocation); it wins over the module path.
 */
export function catalogContext(a: { module: string; ci: string }, sourceUrl?: string): CatalogContext {
  if (sourceUrl) {
    const url = sourceUrl.replace(/\/+$/, '');
    return { source: { slugAnnotation: '', slug: '', location: `url:${url}/`, icon: 'dashboard', url, ciUrl: '' } };
  }
  const repo = sourceRepo(a.module);
  if (!repo) return { source: false };
  const trees = { 'github.com': 'tree/HEAD', 'gitlab.com': '-/tree/HEAD', 'bitbucket.org': 'src/HEAD' } as Record<string, string>;
  const tree = `${repo.url}/${trees[repo.host]}/${repo.dir ? `${repo.dir}/` : ''}`;
  const ciUrl =
    repo.host === 'github.com' && a.ci === 'github'
      ? `${repo.url}/actions`
      : repo.host === 'gitlab.com' && a.ci === 'gitlab'
        ? `${repo.url}/-/pipelines`
        : '';
  return {
    source: {
      slugAnnotation: repo.host === 'bitbucket.org' ? '' : `${repo.host}/project-slug`,
      slug: repo.slug,
      location: `url:${repo.dir || repo.host === 'bitbucket.org' ? tree : `${repo.url}/`}`,
      icon: repo.host === 'github.com' ? 'github' : repo.host === 'gitlab.com' ? 'gitlab' : 'dashboard',
      url: repo.url,
      ciUrl,
    },
  };
}
