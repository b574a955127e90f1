// Validation rules shared by prompts, flags and answers files. Each rule returns
// undefined when the value is fine, or the rule in words ("must be ...") when not.
import { localGoVersion } from './environment.js';

export type Rule<T> = (value: T) => string | undefined;

const MAX_QUOTED = 60;

/**
 * A value as messages show it: in double quotes on one line, every control, line-separating
 * and bidirectional character escaped (a hostile value must not steer the terminal), long
 * values cut short.
 */
export function quote(value: string): string {
  const chars = [...value];
  const cut = chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED).join('')}…` : value;
  const quoted = JSON.stringify(cut).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut === value ? quoted : `${quoted} (${chars.length} characters)`;
}

// Kubernetes Service names are DNS-1035 labels; Helm release names allow 53 characters.
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_NAME = 53;

export const serviceName: Rule<string> = (v) => {
  if (v.length === 0) return 'must not be empty';
  if (v.length > MAX_NAME) return `must be at most ${MAX_NAME} characters (Helm release name limit)`;
  if (!DNS_LABEL.test(v)) {
    return 'must be a DNS-1123 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit';
  }
  // The name is a directory (cmd/<name>) and the last element of the default module path.
  if (WINDOWS_RESERVED.has(v.toUpperCase())) return 'must not be a reserved file name on Windows (con, prn, aux, nul, com0-9, lpt0-9)';
  // cmd/vendor would be taken for vendored code (and github.com/<owner>/vendor cannot be
  // imported); `./...` skips cmd/testdata, so go vet, go test and the linter never see main.
  if (GO_SPECIAL_DIRS.has(v))
    return 'must not be vendor or testdata: Go treats directories of those names specially (vendored code; left out of ./...)';
  return undefined;
};

/** Directory names the go command treats specially (`internal` only limits imports, which is fine here). */
const GO_SPECIAL_DIRS = new Set(['vendor', 'testdata']);

// A port of golang.org/x/mod/module.CheckPath: the rules `go mod init` applies.
const WINDOWS_RESERVED = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  'COM0',
  'COM1',
  'COM2',
  'COM3',
  'COM4',
  'COM5',
  'COM6',
  'COM7',
  'COM8',
  'COM9',
  'COM¹',
  'COM²',
  'COM³',
  'LPT0',
  'LPT1',
  'LPT2',
  'LPT3',
  'LPT4',
  'LPT5',
  'LPT6',
  'LPT7',
  'LPT8',
  'LPT9',
  'LPT¹',
  'LPT²',
  'LPT³',
]);

function modPathOK(c: string): boolean {
  return /^[A-Za-z0-9\-._~]$/.test(c);
}

function checkElem(elem: string): string | undefined {
  if (elem === '') return 'must not contain empty path elements ("//" or a leading or trailing "/")';
  if (elem === '.' || elem === '..') return `must not contain "${elem}" path elements`;
  if (elem.startsWith('.')) return `path element ${quote(elem)} must not start with a dot`;
  if (elem.endsWith('.')) return `path element ${quote(elem)} must not end with a dot`;
  for (const c of elem) {
    if (!modPathOK(c)) return `may only contain letters, digits and "-._~/" (found ${quote(c)})`;
  }
  let short = elem;
  const dot = short.indexOf('.');
  if (dot >= 0) short = short.slice(0, dot);
  if (WINDOWS_RESERVED.has(short.toUpperCase())) return `path element ${quote(elem)} is a reserved file name on Windows`;
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return `path element ${quote(elem)} must not end in a tilde followed by digits`;
  }
  return undefined;
}

export const modulePath: Rule<string> = (v) => {
  if (v.length === 0) return 'must not be empty';
  if (v.length > 500) return 'must be at most 500 characters';
  const elems = v.split('/');
  for (const e of elems) {
    const err = checkElem(e);
    if (err) return err;
  }
  // The go command refuses to build a package whose import path has a vendor element.
  if (elems.slice(1).includes('vendor')) return 'must not have a "vendor" path element: Go takes such packages for vendored code';
  const first = elems[0]!;
  if (!first.includes('.')) return `must start with a domain name containing a dot, like ${quote(`example.com/${v}`)}`;
  if (first.startsWith('-')) return 'domain name must not start with "-"';
  if (!/^[a-z0-9.-]+$/.test(first)) return 'domain name may only contain lowercase letters, digits, "." and "-"';
  // A trailing /vN is the major version suffix: it must be v2 or higher, without leading zeros.
  const last = elems[elems.length - 1]!;
  if (elems.length > 1 && /^v[0-9]+$/.test(last)) {
    if (last === 'v0' || last === 'v1' || /^v0/.test(last)) {
      return `must not end in "/${last}": a major version suffix must be /v2 or higher`;
    }
  }
  return undefined;
};

export const description: Rule<string> = (v) => {
  // Every file that shows it would get an empty line or doc comment; leaving it out gives the default.
  if (v.length === 0) return 'must not be empty (leave it out for the default)';
  if (v.length > 300) return 'must be at most 300 characters';
  // C0 and C1 controls, and the Unicode line and paragraph separators that YAML 1.1
  // parsers (Helm's) would fold into a space.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(v)) return 'must be a single line without control characters';
  // Embedding, override and isolate controls reorder how text displays (Trojan Source).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(v)) return 'must not contain bidirectional control characters';
  if (!v.isWellFormed()) return 'must be valid Unicode text';
  // Go rejects a byte order mark anywhere but a file's first byte, and the description
  // lands in main.go's doc comment.
  if (v.includes('\ufeff')) return 'must not contain a byte order mark (U+FEFF)';
  if (v.trim() !== v) return 'must not start or end with spaces';
  return undefined;
};

// Go 1.25 is the first release with container-aware GOMAXPROCS on by default.
export const MIN_GO_MINOR = 25;
/** The newest Go release when this generator was released: bump it with each Go release. */
export const LATEST_GO_MINOR = 27;

/**
 * The newest minor version a repo may ask for: the newest release we know of, or the local
 * Go's when that is newer (it is released, or someone built it). An unreleased one cannot be
 * built: golang:1.N does not pull and GOTOOLCHAIN=auto finds no toolchain.
 */
export function newestGoMinor(local: string | undefined = localGoVersion()): number {
  const localMinor = Number(/^1\.(\d+)$/.exec(local ?? '')?.[1] ?? 0);
  return Math.max(LATEST_GO_MINOR, localMinor);
}

export function goVersionRule(newest: number): Rule<string> {
  return (v) => {
    // No leading zeros: Go rejects "go 1.025" in go.mod.
    const m = /^1\.(0|[1-9][0-9]{0,2})$/.exec(v);
    if (!m) return 'must be a Go minor version like 1.26';
    if (Number(m[1]) < MIN_GO_MINOR) return `must be 1.${MIN_GO_MINOR} or newer (container-aware GOMAXPROCS)`;
    if (Number(m[1]) > newest) {
      const local = newest > LATEST_GO_MINOR ? ` and the local Go is 1.${newest}` : ', and a newer local Go counts too';
      return `is not a released Go version (the newest this generator knows is 1.${LATEST_GO_MINOR}${local})`;
    }
    return undefined;
  };
}

let newestCached: number | undefined;
export const goVersion: Rule<string> = (v) => {
  newestCached ??= newestGoMinor();
  return goVersionRule(newestCached)(v);
};

// Ports below 1024 need CAP_NET_BIND_SERVICE, which the restricted pod profile drops.
export const port: Rule<number> = (v) => {
  if (!Number.isInteger(v) || v < 1024 || v > 65535) return 'must be an integer from 1024 to 65535 (the container runs without privileges)';
  return undefined;
};

// An image repository as docker/distribution's reference grammar allows, without tag or digest.
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const IMAGE_REPO = new RegExp(`^(?:${IMAGE_DOMAIN}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*$`);

export const imageRepository: Rule<string> = (v) => {
  if (v.length === 0) return 'must not be empty';
  if (v.length > 255) return 'must be at most 255 characters';
  if (/[@]/.test(v) || /:[^/]*$/.test(v.replace(/^[^/]*\//, '')))
    return 'must be a repository without tag or digest, like ghcr.io/acme/my-service';
  if (!IMAGE_REPO.test(v)) return 'must be an image repository like ghcr.io/acme/my-service (lowercase path components)';
  return undefined;
};

export function oneOf<T extends string>(values: readonly T[]): Rule<string> {
  return (v) => (values.includes(v as T) ? undefined : `must be one of ${values.join(', ')}`);
}
