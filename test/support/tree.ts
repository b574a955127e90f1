// A generated directory as data, for comparing what two runs wrote.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as assert from 'uvu/assert';

/** Every file under dir (but a .git at its top) with its bytes, by path relative to dir. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git' || d !== dir) walk(p);
      } else files.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return files;
}

/** Asserts that two directories hold the same files, byte for byte; returns the first one's. */
export function assertSameTree(a: string, b: string): Map<string, Buffer> {
  const ta = readTree(a);
  const tb = readTree(b);
  assert.equal([...ta.keys()].sort(), [...tb.keys()].sort());
  for (const [path, bytes] of ta) assert.ok(bytes.equals(tb.get(path)!), `${path} differs`);
  return ta;
}

/**
 * One hash of everything under dir but .git folders: paths, kinds, modes, link targets and
 * bytes, so a command that must change nothing can be held to it.
 */
export function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === '.git') continue;
      const p = join(d, e.name);
      const st = lstatSync(p);
      h.update(`${relative(dir, p)}\0${st.mode}\0`);
      if (e.isSymbolicLink()) h.update(readlinkSync(p));
      else if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(readFileSync(p));
      h.update('\0');
    }
  };
  walk(dir);
  return h.digest('hex');
}
