// `go mod tidy` after update merged go.mod or go.sum: the union of both sides' requirements
// and sums, pruned to what the code needs. Offline only (GOPROXY=off, the local toolchain): a
// bot or a laptop without the modules cached gets the merged files as they are, and is told.
import { spawnSync } from 'node:child_process';

export interface TidyResult {
  ran: boolean;
  /** Why it could not run (first line of go's complaint), when it did not. */
  reason?: string;
}

export function tidyOffline(root: string): TidyResult {
  const r = spawnSync('go', ['mod', 'tidy'], {
    cwd: root,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error)
    return { ran: false, reason: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'go is not installed' : r.error.message };
  if (r.status !== 0) return { ran: false, reason: (r.stderr || `exit ${r.status}`).trim().split('\n')[0] };
  return { ran: true };
}

/** What to tell after a go.mod or go.sum merge (nothing when neither merged): a summary part, or a warning. */
export function tidyAfterMerge(root: string, merged: readonly string[]): { summary?: string; warning?: string } {
  if (!merged.some((p) => p === 'go.mod' || p === 'go.sum')) return {};
  const t = tidyOffline(root);
  if (t.ran) return { summary: 'go mod tidy ran on the merged go.mod' };
  return { warning: `go mod tidy could not run offline (${t.reason}): go.mod and go.sum are merged but not tidied; run \`go mod tidy\`` };
}
