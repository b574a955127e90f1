// Registers every generator with plop: `service` (a whole repo) and one per file group.
// Each calls the engine the CLI calls (engines/create.ts, regen.ts); contributors can run
// `npm run plop -- service` or `npm run plop -- chart` inside a generated repo.
import type { NodePlopAPI } from 'node-plop';
import { registerGenerators } from './generators/cli/plop-generators.js';

export default function plopfile(plop: NodePlopAPI): void {
  registerGenerators(plop);
}
