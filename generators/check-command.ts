// `check`: see issue tracker; not built yet.
import type { ParsedArgs } from './cli-args.js';
import { CommandFailed } from './errors.js';
import type { Output } from './output.js';

export async function checkCommand(_args: ParsedArgs, _out: Output): Promise<number> {
  throw new CommandFailed('the check command is not available in this version yet');
}
