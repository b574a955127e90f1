// Gives a generated repo the GET /debug/slow?d=2s route that the end-to-end tests need
// (a request still running at SIGTERM). Generated repos do not ship it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SLOW = fileURLToPath(new URL('../fixtures/slow-route/slow.go', import.meta.url));

export function addSlowRoute(dir: string): void {
  writeFileSync(join(dir, 'internal/api/slow.go'), readFileSync(SLOW));
  const apiFile = join(dir, 'internal/api/api.go');
  const api = readFileSync(apiFile, 'utf8');
  const hello = 'mux.HandleFunc("GET /api/v1/hello", Hello)\n';
  if (!api.includes(hello)) throw new Error(`${apiFile} no longer registers ${hello.trim()}: update addSlowRoute`);
  writeFileSync(apiFile, api.replace(hello, `${hello}\tregisterSlow(mux)\n`));
}
