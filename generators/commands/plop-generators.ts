// The generators plop knows: `service` (a whole repo) and one per file group (regenerate
// that group in an existing repo). One custom action type renders the file table in one
// go; plop's per-file `add` would cost ~4 ms a file and could not write atomically.
import type { NodePlopAPI } from 'node-plop';
import { resolveAnswers } from '../model/answers.js';
import { detectEnvironment } from '../model/environment.js';
import { GROUPS } from '../model/files.js';
import { askQuestions } from './prompts.js';
import type { Answers } from '../model/questions.js';
import { scaffold, type ScaffoldResult } from '../render/scaffold.js';
import { join } from 'node:path';

/** What the CLI hands to the action through plop's data; plain `npx plop` runs have none. */
export interface CreateContext {
  answers: Answers;
  directory: string;
  force: boolean;
  result?: ScaffoldResult;
  error?: unknown;
}

export const CONTEXT_KEY = '__cgks';

export function registerGenerators(plop: NodePlopAPI): void {
  plop.setActionType('write-file-table', (data) => {
    let ctx = (data as Record<string, unknown>)[CONTEXT_KEY] as CreateContext | undefined;
    if (!ctx) {
      const answers = resolveAnswers(data as Record<string, unknown>, { useDefaults: true, env: detectEnvironment() });
      ctx = { answers, directory: join(plop.getDestBasePath(), answers.name), force: false };
    }
    try {
      ctx.result = scaffold(ctx.directory, ctx.answers, { force: ctx.force });
    } catch (err) {
      ctx.error = err;
      throw err;
    }
    return `${ctx.result.files.length} files in ${ctx.result.directory}`;
  });

  plop.setActionType('regenerate-group', async (_data, config) => {
    const { regenerate } = await import('../maintenance/regen.js');
    const report = await regenerate({ cwd: plop.getDestBasePath(), targets: [String(config.group)], interactive: false });
    return report.summary;
  });

  plop.setGenerator('service', {
    description: 'a complete Go service repository for Kubernetes',
    prompts: async () => askQuestions({}, detectEnvironment()),
    actions: [{ type: 'write-file-table' }],
  });

  for (const group of GROUPS) {
    plop.setGenerator(group, {
      description: `regenerate the ${group} files of this repo from its recorded answers (edited files are kept)`,
      prompts: async () => ({}),
      actions: [{ type: 'regenerate-group', group } as never],
    });
  }
}
