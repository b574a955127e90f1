// A slow test file split into parts that test/run.ts runs as separate processes, each with the
// file's budget (in parallel where the cores allow): the file declares `// test-shards: N` and
// runs only its part's suites, picked round-robin in file order by shard(). Run alone
// (`npx tsx file`), a file runs every suite.

const DECLARED = /^\/\/ test-shards: ([1-9]\d*)\b/m;

/** How many parts a file's text declares (1 when none). */
export function declaredShards(text: string): number {
  return Number(DECLARED.exec(text)?.[1] ?? 1);
}

/** This process's part: TEST_SHARD=k/N (k from 0), set by test/run.ts; 0/1 when unset. */
export function currentShard(env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  const raw = env.TEST_SHARD;
  if (!raw) return { index: 0, count: 1 };
  const m = /^(\d+)\/([1-9]\d*)$/.exec(raw);
  if (!m || Number(m[1]) >= Number(m[2])) throw new Error(`TEST_SHARD must be k/N with 0 <= k < N, not "${raw}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** A picker called once per suite, in file order: true for the suites of this process's part. */
export function shard(env: NodeJS.ProcessEnv = process.env): () => boolean {
  const { index, count } = currentShard(env);
  let next = 0;
  return () => next++ % count === index;
}
