// Where a Go binary's bytes go, by module: the symbols `go tool nm -size` lists in the sections
// that take room in the file (text, read-only data, data), by the package their name starts
// with, the package mapped to its module (`go version -m`); .gopclntab (function tables, line
// numbers), which no symbol owns, is shared out in proportion to each module's code. The rest
// of the file (ELF headers, type links, padding) is one row of its own. Built from a binary
// linked without -s -w, whose sections are the stripped one's plus the symbol table and DWARF.
// Tested in test/unit/bench-binsize.test.ts.

export interface ElfSection {
  name: string;
  /** SHT_* (8 = NOBITS: no bytes in the file, like .bss). */
  type: number;
  addr: number;
  size: number;
}

const SHT_NOBITS = 8;

/** The section headers of a 64-bit little-endian ELF file. */
export function elfSections(buf: Buffer): ElfSection[] {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      nameOff: buf.readUInt32LE(o),
      type: buf.readUInt32LE(o + 4),
      addr: Number(buf.readBigUInt64LE(o + 0x10)),
      offset: Number(buf.readBigUInt64LE(o + 0x18)),
      size: Number(buf.readBigUInt64LE(o + 0x20)),
    };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number) => {
    const start = strtab.offset + off;
    return buf.toString('latin1', start, buf.indexOf(0, start));
  };
  return Array.from({ length: shnum }, (_, i) => header(i))
    .slice(1)
    .map((h) => ({ name: nameAt(h.nameOff), type: h.type, addr: h.addr, size: h.size }));
}

const PREFIXES = ['type:.eq.', 'type:.namedata.', 'type:.importpath.', 'type:', 'go:itab.'];

/**
 * The package a Go symbol belongs to: `github.com/a/b.(*T).M` → `github.com/a/b`,
 * `type:*net/http.Server` → `net/http`, `go:itab.*os.File,io.Writer` → `os`,
 * `sync.(*Pool).Get[go.shape.int]` → `sync`. Linker-made `go:` tables → `go:`.
 */
export function packageOf(symbol: string): string {
  let n = symbol;
  const pre = PREFIXES.find((p) => n.startsWith(p));
  if (pre) n = n.slice(pre.length);
  else if (n.startsWith('go:')) return 'go:';
  n = n.replace(/^\*+/, '');
  const bracket = n.indexOf('[');
  if (bracket >= 0) n = n.slice(0, bracket);
  const slash = n.lastIndexOf('/');
  const dot = n.indexOf('.', slash + 1);
  return dot > 0 ? n.slice(0, dot) : n;
}

/** The module of a package: the longest module path that is it or a parent; else the standard library. */
export function moduleOf(pkg: string, modules: readonly string[]): string {
  if (pkg === 'go:') return 'Go linker tables (go:func.*, go:string.*)';
  let best = '';
  for (const m of modules) if ((pkg === m || pkg.startsWith(`${m}/`)) && m.length > best.length) best = m;
  return best || 'Go standard library and runtime';
}

export interface ModuleBytes {
  module: string;
  /** Bytes of its symbols in file-backed sections. */
  symbols: number;
  /** Of which code (.text). */
  text: number;
  /** symbols + its share of .gopclntab. */
  total: number;
}

export interface SizeBreakdown {
  fileBytes: number;
  rows: ModuleBytes[];
  /** ELF headers, section padding, tables no symbol names (.typelink, .itablink, build info). */
  unattributed: number;
  pclntab: number;
}

/**
 * Sums `go tool nm -size` output (`addr size type name`) by module. Symbols outside the
 * file-backed sections (.bss, .noptrbss, and the DWARF/symbol tables a stripped binary lacks)
 * are left out.
 */
export function sizeByModule(
  nm: string,
  sections: readonly ElfSection[],
  modules: readonly string[],
  strippedFileBytes: number,
): SizeBreakdown {
  const loaded = sections.filter((s) => s.type !== SHT_NOBITS && s.addr > 0 && s.name !== '.gopclntab');
  const text = sections.find((s) => s.name === '.text');
  const pclntab = sections.find((s) => s.name === '.gopclntab')?.size ?? 0;
  const by = new Map<string, { symbols: number; text: number }>();
  for (const line of nm.split('\n')) {
    const m = /^\s*([0-9a-f]+)\s+(\d+)\s+(\S)\s+(.+)$/.exec(line);
    if (!m) continue;
    const addr = Number.parseInt(m[1]!, 16);
    const size = Number(m[2]);
    if (size === 0 || !loaded.some((s) => addr >= s.addr && addr < s.addr + s.size)) continue;
    const mod = moduleOf(packageOf(m[4]!), modules);
    const row = by.get(mod) ?? { symbols: 0, text: 0 };
    row.symbols += size;
    if (text && addr >= text.addr && addr < text.addr + text.size) row.text += size;
    by.set(mod, row);
  }
  const allText = [...by.values()].reduce((n, r) => n + r.text, 0);
  const rows = [...by]
    .map(([module, r]) => ({ module, ...r, total: r.symbols + (allText ? Math.round((pclntab * r.text) / allText) : 0) }))
    .sort((a, b) => b.total - a.total);
  const attributed = rows.reduce((n, r) => n + r.total, 0);
  return { fileBytes: strippedFileBytes, rows, unattributed: strippedFileBytes - attributed, pclntab };
}

/** Module paths from `go version -m` (its `dep` and `=>` replacement lines). */
export function modulesOf(goVersionM: string): string[] {
  return goVersionM
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === 'dep' || f[0] === '=>' || f[0] === 'mod')
    .map((f) => f[1]!)
    .filter(Boolean);
}

/**
 * The `-tags` of the `go build` line in a generated Dockerfile (empty when it has none), with
 * `${NAME}` taken from the default of `ARG NAME=...`.
 */
export function dockerfileBuildTags(dockerfile: string): string {
  const line = /^\s*go build (.*)$/m.exec(dockerfile)?.[1] ?? '';
  const tags = /(?:^|\s)-tags[= ]("[^"]*"|\S+)/.exec(line)?.[1]?.replace(/^"|"$/g, '') ?? '';
  return tags.replace(/\$\{?(\w+)\}?/g, (_, name: string) => new RegExp(`^ARG ${name}=(\\S*)`, 'm').exec(dockerfile)?.[1] ?? '');
}
