// Registers every generator with plop: `service` (a whole repo) and one per file group.
// The CLI drives the same registrations through node-plop; contributors can run
// `npm run plop -- service` or `npm run plop -- chart` inside a generated repo.
import type { NodePlopAPI } from 'node-plop';
import { registerGenerators } from './generators/commands/plop-generators.js';

export default function plopfile(plop: NodePlopAPI): void {
  registerGenerators(plop);
}
