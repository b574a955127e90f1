// Contributor tool: render every template that exists into a folder, for trying templates
// before the whole table is written. `tsx scripts/render-dev.ts OUT [key=value ...]`
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAnswers } from '../generators/model/answers.js';
import { filesFor, templatePath } from '../generators/model/files.js';
import { renderAll } from '../generators/render/render.js';

const [out, ...pairs] = process.argv.slice(2);
if (!out) throw new Error('usage: render-dev.ts OUT [key=value ...]');
const given: Record<string, unknown> = { name: 'demo-svc' };
for (const p of pairs) {
  const [k, ...v] = p.split('=');
  given[k!] = v.join('=');
}
const answers = resolveAnswers(given, { useDefaults: true, env: {} });
const templates = fileURLToPath(new URL('../templates/', import.meta.url));
const present = filesFor(answers).filter((f) => existsSync(join(templates, templatePath(f))));
const skipped = filesFor(answers).length - present.length;
rmSync(out, { recursive: true, force: true });
for (const f of renderAll(answers, present)) {
  mkdirSync(dirname(join(out, f.path)), { recursive: true });
  writeFileSync(join(out, f.path), f.content);
}
console.error(`rendered ${present.length} files into ${out} (${skipped} templates not written yet)`);
