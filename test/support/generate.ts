// Test helper: renders a repo for some answers into a fresh temporary directory through
// the generator library (the CLI has its own tests). Missing templates are an error.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveAnswers } from '../../generators/model/answers.js';
import type { Answers } from '../../generators/model/questions.js';
import { renderAll, type RenderedFile } from '../../generators/render/render.js';
import { stringify as stringifyYaml } from 'yaml';

export function answersFor(overrides: Partial<Answers> = {}): Answers {
  return resolveAnswers({ name: 'demo-svc', ...overrides }, { useDefaults: true, env: { localGoVersion: '1.26' } });
}

export function render(overrides: Partial<Answers> = {}): RenderedFile[] {
  return renderAll(answersFor(overrides));
}

/** Writes the rendered repo into a new temp dir and returns its path. */
export function generate(overrides: Partial<Answers> = {}, prefix = 'cgks-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of render(overrides)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

/** The chart directory of a whole repo generated for these answers (one repo per answer set). */
export function chartDirFor(overrides: Partial<Answers>, generatedDirs: string[], prefix = 'cgks-chart-'): string {
  const key = JSON.stringify(overrides);
  let dir = chartDirs.get(key);
  if (!dir) {
    const root = generate(overrides, prefix);
    generatedDirs.push(root);
    dir = join(root, 'charts', answersFor(overrides).name);
    chartDirs.set(key, dir);
  }
  return dir;
}
const chartDirs = new Map<string, string>();

/** A function that writes each values object it gets to a new YAML file in dir and returns the path. */
export function valuesFileWriter(dir: string): (values: unknown) => string {
  let count = 0;
  return (values) => {
    const path = join(dir, `values-${++count}.yaml`);
    writeFileSync(path, stringifyYaml(values, { version: '1.1' }));
    return path;
  };
}
