// scratch (not committed): render variants into /tmp/svcw/<label>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { render } from './test/support/generate.js';
const variants: Record<string, object> = {
  default: {},
  pg: { database: 'postgres' },
  pgtr: { database: 'postgres', tracing: true },
  tr: { tracing: true },
  nometrics: { metrics: false },
  pgnm: { database: 'postgres', metrics: false, tracing: false },
  pgnmtr: { database: 'postgres', metrics: false, tracing: true },
};
const only = process.argv.slice(2);
for (const [label, ans] of Object.entries(variants)) {
  if (only.length && !only.includes(label)) continue;
  const out = join('/tmp/svcw', label);
  rmSync(out, { recursive: true, force: true });
  for (const f of render(ans as any)) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.content);
  }
  console.log('rendered', out);
}
