// A generated directory as data, for comparing what two runs wrote.
import { readdirSync, readFileSync } from 'node:fs';
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
