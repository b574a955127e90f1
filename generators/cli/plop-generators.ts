// plop as an adapter: the generators it knows are `service` (a whole repo) and one per file
// group (regenerate that group in an existing repo), and each action calls the engine the CLI
// calls (engines/create.ts, regen.ts). One action writes the whole file table: plop's
// per-file `add` would cost ~4 ms a file and could not write atomically.
import type { NodePlopAPI } from 'node-plop';
import { resolveAnswers } from '../model/answers.js';
import { detectEnvironment } from '../model/environment.js';
import { GROUPS } from '../model/files.js';
import { askQuestions } from './prompts.js';
import { writeNewRepo } from '../engines/create.js';
import { join } from 'node:path';

/** plop's face of the engines: each action resolves plop's answers and calls the engine, as the CLI does. */
export function registerGenerators(plop: NodePlopAPI): void {
  plop.setActionType('write-file-table', async (data) => {
    const answers = resolveAnswers(data as Record<string, unknown>, { useDefaults: true, env: detectEnvironment() });
    const result = await writeNewRepo(answers, join(plop.getDestBasePath(), answers.name), { force: false });
    return `${result.files.length} files in ${result.directory}`;
  });

  plop.setActionType('regenerate-group', async (_data, config) => {
    const { regenerate } = await import('../engines/regen.js');
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
