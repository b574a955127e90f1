// Container image helpers: build a generated repo's Dockerfile with buildah (no Docker engine,
// no registry), export the image as an OCI layout, read its layers, unpack its root filesystem
// and run its entrypoint in a chroot as the image's user. Used by test/e2e/image.test.ts and
// bench/image.ts.
//
// Everything buildah keeps lives under one root, shared by the tests and the bench:
//   ${CGKS_BUILDAH_ROOT:-~/.cache/create-go-k8s-service/buildah}/
//     storage/ runroot/   buildah's image store (vfs driver) and its run state
//     tmp/                buildah's temp dir; RUN --mount=type=cache directories live in tmp/buildah-cache
//     policy.json         accept-anything signature policy for `buildah push` to local OCI layouts
// The stand-in base images are built by scripts/stand-in-images.sh (see test/STAND-IN-IMAGES.md).
import { execa, type ResultPromise } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GO_ENV, watchProcess } from './go.js';
import { ensureTools, repoRoot } from './tools.js';

export type BaseImage = 'distroless' | 'scratch' | 'alpine';
export type StandInKind = 'golang' | 'distroless' | 'alpine';

export const buildahRoot = (): string => process.env.CGKS_BUILDAH_ROOT || join(homedir(), '.cache', 'create-go-k8s-service', 'buildah');

/** Docker's default PATH, which runtimes give a container whose image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The build platform as buildah spells it (linux/amd64, linux/arm64). */
export function hostPlatform(): string {
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch as string];
  return `linux/${arch ?? process.arch}`;
}

function findOnPath(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// ---- availability ------------------------------------------------------------------------------

export interface Availability {
  ok: boolean;
  /** Why images cannot be built here (when not ok). */
  reason?: string;
}

let availability: Promise<Availability> | undefined;

/**
 * Whether this machine can build and run images: Linux, root (buildah's vfs store, chroot,
 * mounts), buildah (installed through scripts/install-tools.sh when missing), unshare and chroot.
 */
export function imageToolsAvailable(): Promise<Availability> {
  availability ??= (async (): Promise<Availability> => {
    if (process.platform !== 'linux') return { ok: false, reason: `needs Linux (this is ${process.platform})` };
    if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (buildah with the vfs driver, chroot and mounts)' };
    if (!findOnPath('buildah')) {
      try {
        await ensureTools(['buildah']);
      } catch (e) {
        return { ok: false, reason: `buildah is missing and could not be installed: ${(e as Error).message}` };
      }
      if (!findOnPath('buildah')) return { ok: false, reason: 'buildah is missing (bash scripts/install-tools.sh buildah)' };
    }
    for (const tool of ['unshare', 'chroot', 'mount', 'tar', 'flock', 'go']) {
      if (!findOnPath(tool)) return { ok: false, reason: `${tool} not found on PATH` };
    }
    return { ok: true };
  })();
  return availability;
}

// ---- buildah -----------------------------------------------------------------------------------

/**
 * Takes the store's build lock (flock on <root>/.build.lock), so the image test and the bench
 * never build, prune or count containers at the same time. Resolves with the release function;
 * the lock also goes when this process dies.
 */
export function lockStore(): Promise<() => void> {
  mkdirSync(buildahRoot(), { recursive: true });
  const lock = join(buildahRoot(), '.build.lock');
  const holder = spawn('flock', ['--exclusive', lock, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const release = () => {
    holder.stdin!.end();
  };
  return new Promise((resolve, reject) => {
    holder.on('error', reject);
    holder.on('exit', (code) => reject(new Error(`flock ${lock} exited with ${code}`)));
    holder.stdout!.once('data', () => {
      holder.removeAllListeners('exit');
      // Never keep this process alive for the lock's sake: exiting releases it.
      holder.unref();
      for (const s of [holder.stdin, holder.stdout] as unknown as { unref?: () => void }[]) s.unref?.();
      resolve(release);
    });
  });
}

function buildahEnv(): Record<string, string> {
  const tmp = join(buildahRoot(), 'tmp');
  mkdirSync(tmp, { recursive: true });
  return { TMPDIR: tmp, ...GO_ENV, BUILDAH_FORMAT: 'docker' };
}

/** Global flags every buildah call gets: our own store, vfs. */
export const buildahGlobalArgs = (): string[] => [
  '--root',
  join(buildahRoot(), 'storage'),
  '--runroot',
  join(buildahRoot(), 'runroot'),
  '--storage-driver',
  'vfs',
];

export interface CommandResult {
  ok: boolean;
  exitCode: number;
  stdout: string;
  /** stdout and stderr interleaved. */
  output: string;
  seconds: number;
}

/** Runs buildah with the shared store; never throws for a non-zero exit. */
export async function buildah(args: readonly string[], opts: { cwd?: string; timeout?: number } = {}): Promise<CommandResult> {
  const started = Date.now();
  const r = await execa('buildah', [...buildahGlobalArgs(), ...args], {
    cwd: opts.cwd,
    env: buildahEnv(),
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: opts.timeout ?? 10 * 60_000,
  });
  return {
    ok: r.exitCode === 0,
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout ?? ''),
    output: String(r.all ?? r.shortMessage ?? ''),
    seconds: (Date.now() - started) / 1000,
  };
}

async function buildahOrThrow(args: readonly string[], opts: { cwd?: string; timeout?: number } = {}): Promise<string> {
  const r = await buildah(args, opts);
  if (!r.ok) throw new Error(`buildah ${args.join(' ')} exited with ${r.exitCode}:\n${r.output.slice(-4000)}`);
  return r.stdout;
}

export type StandIns = Record<StandInKind, string>;

let standIns: Promise<StandIns> | undefined;

/** Builds (or reuses) the stand-in base images; returns their names by kind. */
export function ensureStandIns(): Promise<StandIns> {
  standIns ??= (async () => {
    const r = await execa('bash', [join(repoRoot(), 'scripts', 'stand-in-images.sh')], {
      env: { CGKS_BUILDAH_ROOT: buildahRoot(), ...GO_ENV },
      reject: false,
      stdin: 'ignore',
      stderr: 'inherit',
      timeout: 15 * 60_000,
    });
    if (r.exitCode !== 0) throw new Error(`scripts/stand-in-images.sh failed (${r.shortMessage})`);
    const names = Object.fromEntries(
      String(r.stdout)
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    ) as StandIns;
    for (const k of ['golang', 'distroless', 'alpine'] as const) if (!names[k]) throw new Error(`no ${k} stand-in in:\n${r.stdout}`);
    return names;
  })();
  standIns.catch(() => (standIns = undefined));
  return standIns;
}

/** The RUNTIME_IMAGE build argument for a --base-image choice (scratch stays scratch). */
export function runtimeImageFor(base: BaseImage, s: StandIns): string | undefined {
  return base === 'scratch' ? undefined : s[base];
}

export interface BuildOptions {
  /** The generated repo (build context, with its Dockerfile). */
  dir: string;
  tag: string;
  baseImage: BaseImage;
  /** VERSION, COMMIT, DATE, ... */
  buildArgs?: Record<string, string>;
  /** Build only up to this stage. */
  target?: string;
  timeout?: number;
}

/**
 * `buildah bud --pull=never --layers --format docker --isolation chroot` of the repo's Dockerfile
 * with the stand-in bases as GO_IMAGE / RUNTIME_IMAGE. `--format docker` keeps HEALTHCHECK (the
 * OCI image config has no field for it). `--platform` makes buildah set BUILDPLATFORM,
 * TARGETOS and TARGETARCH as BuildKit does.
 */
export async function buildImage(o: BuildOptions): Promise<CommandResult> {
  const s = await ensureStandIns();
  const args: Record<string, string> = { GO_IMAGE: s.golang, ...o.buildArgs };
  const runtime = runtimeImageFor(o.baseImage, s);
  if (runtime) args.RUNTIME_IMAGE = runtime;
  return buildah(
    [
      'bud',
      '--pull=never',
      '--layers',
      '--force-rm', // remove intermediate containers even when the build fails
      '--format',
      'docker',
      '--isolation',
      'chroot',
      '--platform',
      hostPlatform(),
      ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      ...(o.target ? ['--target', o.target] : []),
      '--tag',
      o.tag,
      '--file',
      join(o.dir, 'Dockerfile'),
      o.dir,
    ],
    { cwd: o.dir, timeout: o.timeout ?? 30 * 60_000 },
  ).then((r) => {
    noteImageIds(r.output);
    return r;
  });
}

/** Docker-format image config as `buildah inspect` shows it. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
}

export interface ImageInspect {
  config: ImageConfig;
  /** diff ids of the layers, base first. */
  diffIds: string[];
  history: { created_by?: string; empty_layer?: boolean }[];
}

export async function inspectImage(ref: string): Promise<ImageInspect> {
  const raw = JSON.parse(await buildahOrThrow(['inspect', '--type', 'image', ref])) as {
    Docker?: { config?: ImageConfig; rootfs?: { diff_ids?: string[] }; history?: ImageInspect['history'] };
  };
  return {
    config: raw.Docker?.config ?? {},
    diffIds: raw.Docker?.rootfs?.diff_ids ?? [],
    history: raw.Docker?.history ?? [],
  };
}

/**
 * Removes images by name. buildah also removes the untagged intermediate images they were built
 * from (their layer cache) unless other images still need them.
 */
export async function removeImages(refs: readonly string[]): Promise<void> {
  for (const ref of refs) await buildah(['rmi', ref]);
}

/** Image ids the builds of this process created or took from the layer cache. */
const usedImageIds = new Set<string>();

function noteImageIds(output: string): void {
  for (const m of output.matchAll(/^(?:--> (?:Using cache )?)?([0-9a-f]{11,64})$/gm)) usedImageIds.add(m[1]!);
}

/**
 * Keeps the vfs store bounded (every cached build step is a full copy of its file system):
 * removes the untagged images (layer cache entries, earlier builds of a tag) that no build of this
 * process used, so what the current templates build stays cached and what older ones built goes.
 * Images younger than an hour are kept (another process may be building), and so is anything
 * still in use. Returns how many images it removed.
 */
export async function pruneStore(): Promise<number> {
  const r = await buildah(['images', '--all', '--json']);
  if (!r.ok || !r.stdout.trim()) return 0;
  const images = JSON.parse(r.stdout) as { id: string; names?: string[] | null; created: number }[];
  const used = [...usedImageIds];
  const hourAgo = Date.now() / 1000 - 3600;
  const stale = images.filter(
    (i) => !i.names?.length && i.created < hourAgo && !used.some((u) => u.startsWith(i.id) || i.id.startsWith(u)),
  );
  let removed = 0;
  for (const i of stale) if ((await buildah(['rmi', i.id])).ok) removed++;
  return removed;
}

// ---- exported images: OCI layout, layers, files --------------------------------------------------

export interface TarEntry {
  /** Path without a leading "./" or "/", directories without a trailing slash. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname: string;
}

export interface ExportedLayer {
  digest: string;
  diffId: string;
  /** Size of the gzip blob, as a registry stores and a node pulls it. */
  compressedBytes: number;
  /** Size of the uncompressed tar. */
  bytes: number;
  entries: TarEntry[];
  /** The blob's path in the layout. */
  blob: string;
}

export interface ExportedImage {
  dir: string;
  layers: ExportedLayer[];
  config: ImageConfig;
  /** Uncompressed bytes of all layers. */
  bytes: number;
  /** Compressed bytes of all layers plus config and manifest. */
  compressedBytes: number;
}

export function policyFile(): string {
  const p = join(buildahRoot(), 'policy.json');
  if (!existsSync(p)) {
    mkdirSync(buildahRoot(), { recursive: true });
    writeFileSync(p, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }) + '\n');
  }
  return p;
}

const octal = (b: Buffer, start: number, len: number): number => {
  const s = b
    .toString('latin1', start, start + len)
    .replace(/\0.*$/s, '')
    .trim();
  return s ? parseInt(s, 8) : 0;
};
const cstr = (b: Buffer, start: number, len: number): string => b.toString('utf8', start, start + len).replace(/\0.*$/s, '');

/** Reads the entries of an uncompressed tar (ustar, GNU long names, PAX headers). */
export function tarEntries(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    const flag = String.fromCharCode(h[156] || 48);
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'L') {
      longName = cstr(body, 0, body.length);
      continue;
    }
    if (flag === 'K') {
      longLink = cstr(body, 0, body.length);
      continue;
    }
    if (flag === 'x' || flag === 'g') {
      const text = body.toString('utf8');
      for (let i = 0; i < text.length; ) {
        const sp = text.indexOf(' ', i);
        const n = parseInt(text.slice(i, sp), 10);
        if (!n) break;
        const rec = text.slice(sp + 1, i + n - 1);
        const eq = rec.indexOf('=');
        if (flag === 'x') pax[rec.slice(0, eq)] = rec.slice(eq + 1);
        i += n;
      }
      continue;
    }
    const prefix = h.toString('latin1', 257, 263).startsWith('ustar') ? cstr(h, 345, 155) : '';
    let path = pax.path ?? longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    path = path
      .replace(/^\.?\/+/, '')
      .replace(/^\.$/, '')
      .replace(/\/+$/, '');
    const type = ({ '0': 'file', '\0': 'file', '7': 'file', '5': 'dir', '2': 'symlink', '1': 'hardlink' } as const)[flag] ?? 'other';
    out.push({
      path,
      type,
      mode: octal(h, 100, 8) & 0o7777,
      uid: pax.uid ? Number(pax.uid) : octal(h, 108, 8),
      gid: pax.gid ? Number(pax.gid) : octal(h, 116, 8),
      size: pax.size ? Number(pax.size) : size,
      linkname: pax.linkpath ?? longLink ?? cstr(h, 157, 100),
    });
    longName = longLink = undefined;
    pax = {};
  }
  return out;
}

/**
 * `buildah push --compression-format gzip IMAGE oci:DIR`: the image exactly as a registry would
 * get it. Reads the manifest, config and every layer.
 */
export async function exportImage(ref: string, dir = mkdtempSync(join(tmpdir(), 'cgks-oci-'))): Promise<ExportedImage> {
  await buildahOrThrow([
    'push',
    '--quiet',
    '--signature-policy',
    policyFile(),
    '--compression-format',
    'gzip',
    '--format',
    'v2s2',
    ref,
    `oci:${dir}:image`,
  ]);
  const blob = (digest: string) => join(dir, 'blobs', ...digest.split(':'));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number }[] };
  const mdesc = index.manifests[0]!;
  const manifest = JSON.parse(readFileSync(blob(mdesc.digest), 'utf8')) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  const cfg = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as {
    config?: ImageConfig;
    rootfs?: { diff_ids?: string[] };
  };
  const diffIds = cfg.rootfs?.diff_ids ?? [];
  const layers = manifest.layers.map((l, i): ExportedLayer => {
    const gz = readFileSync(blob(l.digest));
    const tar = gunzipSync(gz);
    return {
      digest: l.digest,
      diffId: diffIds[i] ?? '',
      compressedBytes: l.size,
      bytes: tar.length,
      entries: tarEntries(tar),
      blob: blob(l.digest),
    };
  });
  return {
    dir,
    layers,
    config: cfg.config ?? {},
    bytes: layers.reduce((n, l) => n + l.bytes, 0),
    compressedBytes: layers.reduce((n, l) => n + l.compressedBytes, 0) + manifest.config.size + mdesc.size,
  };
}

/** The files of the image's root filesystem after applying every layer (whiteouts honoured). */
export function imageFiles(layers: readonly ExportedLayer[]): Map<string, TarEntry> {
  const files = new Map<string, TarEntry>();
  for (const layer of layers) {
    for (const e of layer.entries) {
      const base = posix.basename(e.path);
      const parent = posix.dirname(e.path);
      if (base === '.wh..wh..opq') {
        for (const p of [...files.keys()]) if (p.startsWith(`${parent}/`)) files.delete(p);
      } else if (base.startsWith('.wh.')) {
        const gone = posix.join(parent, base.slice(4));
        for (const p of [...files.keys()]) if (p === gone || p.startsWith(`${gone}/`)) files.delete(p);
      } else if (e.path) {
        files.set(e.path, e);
      }
    }
  }
  return files;
}

/** Unpacks the layers into DEST as root (owners and modes kept), honouring whiteouts. */
export async function unpackImage(img: ExportedImage, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  chmodSync(dest, 0o755); // a root filesystem every user can traverse (mkdtemp makes 0700)
  for (const layer of img.layers) {
    for (const e of layer.entries) {
      const base = posix.basename(e.path);
      const parent = posix.dirname(e.path);
      if (base === '.wh..wh..opq') {
        const d = join(dest, parent);
        if (existsSync(d)) for (const c of readdirSync(d)) rmSync(join(d, c), { recursive: true, force: true });
      } else if (base.startsWith('.wh.')) {
        rmSync(join(dest, parent, base.slice(4)), { recursive: true, force: true });
      }
    }
    await execa('tar', ['-xzf', layer.blob, '-C', dest, '--numeric-owner', '--same-owner', '-p', '--exclude=.wh.*'], { stdin: 'ignore' });
  }
}

/** Mount points under DIR in this mount namespace (none may be left before deleting DIR). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** Deletes an unpacked root filesystem, refusing while anything is mounted inside it. */
export function removeRootfs(dir: string): void {
  const m = mountsUnder(dir);
  if (m.length) throw new Error(`not deleting ${dir}: still mounted: ${m.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}

// ---- running an image's root filesystem ----------------------------------------------------------

export interface RunOptions {
  /** "uid:gid" (numeric); default: the image's User, root when it has none. */
  user?: string;
  /** The image's Env; overrides win. PATH defaults to Docker's when the image sets none. */
  imageEnv?: readonly string[];
  env?: Record<string, string>;
}

/**
 * The environment a container runtime gives the process: the image's Env (PATH defaulted),
 * then the overrides; nothing from this process.
 */
export function containerEnv(o: RunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of o.imageEnv ?? []) {
    const i = kv.indexOf('=');
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  env.PATH ??= DEFAULT_PATH;
  return { ...env, ...o.env };
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The argv that runs ARGV inside ROOTFS like a container runtime would, minus the namespaces
 * other than mount: a private mount namespace (`unshare --mount`, so every mount disappears with
 * the process) with /proc, a minimal /dev (null, zero, full, random, urandom, tty) and /sys
 * read-only, then `chroot --userspec=UID:GID --groups=` (no supplementary groups). unshare, sh
 * and chroot all exec, so the returned process's pid is the service's own.
 */
export function chrootArgv(rootfs: string, user: string, argv: readonly string[]): string[] {
  const tool = (n: string) => findOnPath(n) ?? n;
  const script = [
    'set -e',
    `r=${shq(rootfs)}`,
    `${tool('mkdir')} -p "$r/proc" "$r/dev" "$r/sys"`,
    `${tool('mount')} -t proc -o nosuid,nodev,noexec proc "$r/proc"`,
    `${tool('mount')} -t tmpfs -o nosuid,mode=755 tmpfs "$r/dev"`,
    `for n in null zero full random urandom tty; do : >"$r/dev/$n"; ${tool('mount')} --bind "/dev/$n" "$r/dev/$n"; done`,
    `${tool('mount')} --rbind /sys "$r/sys"`,
    `${tool('mount')} -o remount,bind,ro "$r/sys"`,
    `exec ${tool('chroot')} --userspec=${shq(user)} --groups= "$r" "$@"`,
  ].join('\n');
  return [tool('unshare'), '--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', ...argv];
}

export interface RunningContainer {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts ARGV in the unpacked image (see chrootArgv); collects output by line. */
export function startInRootfs(rootfs: string, argv: readonly string[], o: RunOptions = {}): RunningContainer {
  const [cmd, ...args] = chrootArgv(rootfs, o.user ?? '0:0', argv);
  const proc = spawn(cmd!, args, { env: containerEnv(o), stdio: ['ignore', 'pipe', 'pipe'] });
  return { proc, ...watchProcess(proc) };
}

/** Runs ARGV in the unpacked image to completion. */
export async function runInRootfs(
  rootfs: string,
  argv: readonly string[],
  o: RunOptions & { timeout?: number } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const [cmd, ...args] = chrootArgv(rootfs, o.user ?? '0:0', argv);
  const r: Awaited<ResultPromise> = await execa(cmd!, args, {
    env: containerEnv(o),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: o.timeout ?? 30_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Uid, Gid and supplementary groups of a running process (from /proc/PID/status). */
export function processIds(pid: number): { uid: number[]; gid: number[]; groups: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const nums = (key: string) => (status.match(new RegExp(`^${key}:[ \\t]*(.*)$`, 'm'))?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
  return { uid: nums('Uid'), gid: nums('Gid'), groups: nums('Groups') };
}

// ---- ELF ------------------------------------------------------------------------------------------

export interface ElfFacts {
  /** No PT_INTERP and no PT_DYNAMIC: the kernel runs it without a dynamic loader. */
  static: boolean;
  interpreter?: string;
  /** No .symtab. */
  stripped: boolean;
  /** .debug_* / .zdebug_* sections present. */
  debugSections: string[];
  sections: string[];
}

/** Reads the ELF64 little-endian program and section headers of a binary. */
export function elfFacts(path: string): ElfFacts {
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${path}: only 64-bit little-endian ELF is read here`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const shoff = Number(b.readBigUInt64LE(0x28));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  let interpreter: string | undefined;
  let dynamic = false;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const type = b.readUInt32LE(p);
    if (type === 3) {
      const off = Number(b.readBigUInt64LE(p + 8));
      const size = Number(b.readBigUInt64LE(p + 32));
      interpreter = b.toString('latin1', off, off + size).replace(/\0.*$/s, '');
    }
    if (type === 2) dynamic = true;
  }
  const sh = (i: number) => shoff + i * shentsize;
  const strOff = Number(b.readBigUInt64LE(sh(shstrndx) + 24));
  const sections: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const nameOff = b.readUInt32LE(sh(i));
    const end = b.indexOf(0, strOff + nameOff);
    sections.push(b.toString('latin1', strOff + nameOff, end));
  }
  return {
    static: !interpreter && !dynamic,
    interpreter,
    stripped: !sections.includes('.symtab'),
    debugSections: sections.filter((s) => s.startsWith('.debug_') || s.startsWith('.zdebug_')),
    sections: sections.filter(Boolean),
  };
}

/** `go version -m BINARY`: the module and build settings Go embeds (kept by -s -w). */
export async function goBuildInfo(path: string): Promise<string> {
  const r = await execa('go', ['version', '-m', path], { reject: false, stdin: 'ignore', env: GO_ENV });
  if (r.exitCode !== 0) throw new Error(`go version -m ${path}: ${r.stderr}`);
  return String(r.stdout);
}

// ---- sizes ----------------------------------------------------------------------------------------

/**
 * Published sizes of the real runtime bases. No registry is reachable from the test machines, so
 * these are the distroless project's own figures: "The smallest distroless image,
 * gcr.io/distroless/static-debian1x, is around 2 MiB. That's about 50% of the size of alpine
 * (~5 MiB)" (README.md of github.com/GoogleContainerTools/distroless). Registries report
 * compressed sizes.
 */
export const PUBLISHED_BASE_SIZES: Record<BaseImage, { bytes: number; source: string }> = {
  distroless: {
    bytes: 2 * 1024 * 1024,
    source:
      'github.com/GoogleContainerTools/distroless README.md: "The smallest distroless image, gcr.io/distroless/static-debian1x, is around 2 MiB"',
  },
  alpine: {
    bytes: 5 * 1024 * 1024,
    source: 'github.com/GoogleContainerTools/distroless README.md: "about 50% of the size of alpine (~5 MiB)"',
  },
  scratch: { bytes: 0, source: 'scratch is empty' },
};
export const DISTROLESS_STATIC_PUBLISHED = PUBLISHED_BASE_SIZES.distroless;

export interface ImageSizes {
  /** Every layer, uncompressed: the image as stored, with the stand-in base. */
  imageBytes: number;
  /** Every layer gzip-compressed plus config and manifest: what a registry stores. */
  imageCompressedBytes: number;
  /** The stand-in base's layers, uncompressed (0 for scratch). */
  standInBaseBytes: number;
  /** The service binary. */
  binaryBytes: number;
  /** The layer that adds the binary, uncompressed tar. */
  binaryLayerBytes: number;
  /** The same layer gzip-compressed, as pushed. */
  binaryLayerCompressedBytes: number;
  /** Every layer the Dockerfile adds on top of the base (binary, user database...), gzip-compressed. */
  addedLayersCompressedBytes: number;
  /** The published (compressed) size of the real base image (PUBLISHED_BASE_SIZES). */
  publishedBaseBytes: number;
  /** addedLayersCompressedBytes + publishedBaseBytes: the image as a registry would hold it on the real base. */
  estimatedPublishedBytes: number;
  /** The root filesystem a container sees: the sizes of its regular files, a later layer's copy of a path replacing an earlier one's. */
  rootfsBytes: number;
}

/** The bytes of regular files in the image's root filesystem (later layers win; whiteouts remove). */
export function rootfsBytes(layers: readonly { entries: readonly TarEntry[] }[]): number {
  const files = new Map<string, number>();
  for (const l of layers) {
    for (const e of l.entries) {
      const name = posix.basename(e.path);
      if (name.startsWith('.wh.')) {
        files.delete(posix.join(posix.dirname(e.path), name.slice(4)));
        continue;
      }
      if (e.type === 'file') files.set(e.path, e.size);
      else files.delete(e.path);
    }
  }
  return [...files.values()].reduce((n, b) => n + b, 0);
}

/** Size figures of an exported image; BINARY is the service binary's absolute path in the image. */
export function sizeFigures(img: ExportedImage, baseDiffIds: readonly string[], binary: string, base: BaseImage): ImageSizes {
  const rel = binary.replace(/^\/+/, '');
  const layer = img.layers.find((l) => l.entries.some((e) => e.path === rel && e.type === 'file'));
  if (!layer) throw new Error(`no layer adds ${binary}`);
  const binaryBytes = layer.entries.find((e) => e.path === rel)!.size;
  const added = img.layers.filter((l) => !baseDiffIds.includes(l.diffId));
  const addedLayersCompressedBytes = added.reduce((n, l) => n + l.compressedBytes, 0);
  const publishedBaseBytes = PUBLISHED_BASE_SIZES[base].bytes;
  return {
    imageBytes: img.bytes,
    imageCompressedBytes: img.compressedBytes,
    standInBaseBytes: img.layers.filter((l) => baseDiffIds.includes(l.diffId)).reduce((n, l) => n + l.bytes, 0),
    binaryBytes,
    binaryLayerBytes: layer.bytes,
    binaryLayerCompressedBytes: layer.compressedBytes,
    addedLayersCompressedBytes,
    publishedBaseBytes,
    estimatedPublishedBytes: addedLayersCompressedBytes + publishedBaseBytes,
    rootfsBytes: rootfsBytes(img.layers),
  };
}
