// Create's engine: a new repo written for resolved answers, and the GitOps environment
// repository starter beside it. It never prints; the command (cli/create.ts) asks, lists
// a dry run, runs the post-steps with its progress and says what next, and plop's action
// (cli/plop-generators.ts) calls the same function.
import { resolve } from 'node:path';
import type { Answers } from '../model/questions.js';
import { starterFiles } from '../render/gitops-starter.js';
import { scaffold, type ScaffoldResult } from '../render/scaffold.js';
import { holdWrites, writeProject } from '../plumbing/write.js';

/** Lets a pending signal be handled: a SIGINT that arrived during a synchronous write is
 * dispatched in the event loop's poll phase, which the second hop is sure to pass. */
const settle = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

/**
 * Writes every file of the repo into directory, atomically. Until the write is committed
 * (after a pending Ctrl-C had its turn), an interrupt undoes it, even one that already finished.
 */
export async function writeNewRepo(answers: Answers, directory: string, opts: { force: boolean }): Promise<ScaffoldResult> {
  const hold = holdWrites();
  let result: ScaffoldResult;
  try {
    result = scaffold(directory, answers, { force: opts.force });
    await settle();
  } catch (err) {
    hold.rollback();
    throw err;
  }
  hold.commit();
  return result;
}

/** Writes the environment repository starter (deploy=gitops) into dir; returns how many files. */
export function writeGitopsStarter(answers: Answers, dir: string): number {
  const files = starterFiles(answers);
  writeProject(resolve(dir), files);
  return files.length;
}
