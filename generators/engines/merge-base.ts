// The base of a 3-way merge: the text a file had when it was generated, named in the record
// by its blob id. This generator renders its own output again (any clone can, no git
// needed); other versions' text is looked up in git (the fast path), and what a clone lacks
// is rendered by the recorded version's own package from the recorded answers.
import { describeSource, fetchRelease, PackageUnavailable, type PackageSource } from './package-source.js';
import { hashContent } from '../model/record.js';
import { ReleaseCannotRender, renderRelease } from './release-render.js';
import { BASE_REF, gitTopLevel, hasRef, readBlobs } from './repo.js';

/** The text of each blob id: from texts this generator renders, else from git's object store. */
export function findBases(root: string, ids: readonly string[], renderable: Iterable<string>): Map<string, string> {
  const wanted = new Set(ids);
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  for (const text of renderable) {
    const id = hashContent(text);
    if (wanted.has(id)) found.set(id, text);
  }
  const rest = [...wanted].filter((id) => !found.has(id));
  for (const [id, text] of readBlobs(root, rest)) found.set(id, text);
  return found;
}

/** What the recorded version's release said about the ids it was asked for. */
export interface ReleaseBases {
  found: Map<string, string>;
  note?: string;
  /**
   * The release ran: the ids it did not render are not what that release generates (another
   * build carried its number). templatesDigest: the one the release records; why: it could not
   * render the answers at all.
   */
  ran?: { templatesDigest?: string; why?: string };
}

/**
 * The texts of blob ids that `version` generated from `answers` (as recorded), rendered by that
 * release's package from `source`; a one-line note instead when the package cannot be had.
 */
export async function basesFromRelease(
  version: string,
  answers: object,
  ids: readonly string[],
  source: PackageSource,
): Promise<ReleaseBases> {
  const found = new Map<string, string>();
  if (ids.length === 0) return { found };
  const wanted = new Set(ids);
  try {
    const { files, templatesDigest } = await renderRelease(fetchRelease(version, source), version, answers);
    for (const text of files.values()) {
      const id = hashContent(text);
      if (wanted.has(id)) found.set(id, text);
    }
    return { found, ran: templatesDigest ? { templatesDigest } : {} };
  } catch (err) {
    if (err instanceof ReleaseCannotRender) return { found, ran: { why: err.message } };
    if (!(err instanceof PackageUnavailable)) throw err;
    // The messages name the version and the source; the render failure names the version only.
    return {
      found,
      note: `merge bases not rebuilt: ${err.message}${err.message.includes(describeSource(source)) ? '' : ` (package from ${describeSource(source)})`}`,
    };
  }
}

/** Why the text `version` generated for `path` is nowhere to be found (one clause, no remedy). */
export function missingBase(root: string, path: string, id: string, version: string): string {
  const what = `the text ${version} generated for ${path} (blob ${id.slice(0, 12)})`;
  if (!gitTopLevel(root))
    return `${what} is not what this version generates from the recorded answers, and without git there is nowhere else to find it`;
  if (!hasRef(root, BASE_REF)) {
    return (
      `${what} is not in this clone's history, and this clone has no ${BASE_REF} (update and regen keep the text they generate ` +
      'there, in the clone where they ran; git clone and push do not carry that ref)'
    );
  }
  return `${what} is neither in this repo's history nor in its ${BASE_REF} (the file was edited before its first commit, or that ref was written in another clone)`;
}

/** What to do about missing merge bases, once for all files. */
export function missingBaseRemedy(aside: string): string {
  return (
    `merge by hand from ${aside}/, or undo the update (git checkout -- . && git clean -fd), fetch the ref from the clone that has it ` +
    `(git fetch <that clone> +${BASE_REF}:${BASE_REF}) and update again; to share merge bases, push that ref (git push origin ${BASE_REF}); ` +
    "or let update fetch the recorded version's package (--packages <dir|url>, or GO_K8S_SERVICE_PACKAGES) and update again"
  );
}
