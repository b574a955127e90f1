// `outdated`: placeholder until outdated.ts lands.
import type { ParsedArgs } from './cli-args.js';
import type { Output } from './output.js';

export async function outdatedCommand(_args: ParsedArgs, _out: Output): Promise<number> {
  throw new Error('not yet');
}
