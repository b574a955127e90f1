// How long test/run.ts lets a test file run before it kills it as hung. A file states its own
// budget in a line comment, `// test-budget: 1800 s (why)`, when it needs more than its directory
// gives; TEST_TIMEOUT_SCALE multiplies every budget (a slow or busy machine), and so does
// running more files at once than there are cores.
import { relative, sep } from 'node:path';

/** Budgets of files that declare none, by directory: what such files do at most, with room for a loaded machine. */
export const DEFAULT_BUDGET_SECONDS = { unit: 120, cli: 600, other: 900 } as const;

const DECLARED = /^\/\/ test-budget: (\d+(?:\.\d+)?) s\b/m;

/** The file's budget in seconds: its `// test-budget: N s` line, else its directory's default. */
export function declaredBudgetSeconds(file: string, text: string, root: string): number {
  const m = DECLARED.exec(text);
  if (m) return Number(m[1]);
  const dir = relative(root, file).split(sep)[1];
  return dir === 'unit' || dir === 'cli' ? DEFAULT_BUDGET_SECONDS[dir] : DEFAULT_BUDGET_SECONDS.other;
}

/**
 * The factor every budget is multiplied by: TEST_TIMEOUT_SCALE (default 1) times how many files
 * share each core (a file running beside others on the same core gets that much less of it).
 */
export function budgetScale(env: NodeJS.ProcessEnv, concurrency: number, cores: number): number {
  const raw = env.TEST_TIMEOUT_SCALE ?? '1';
  const scale = Number(raw);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`TEST_TIMEOUT_SCALE must be a number above 0, not "${raw}"`);
  return scale * Math.max(1, concurrency / Math.max(1, cores));
}
