// The generator's version, recorded in every generated repo. The bundle inlines it at build time.
import { createRequire } from 'node:module';

declare const __GENERATOR_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __GENERATOR_VERSION__ === 'string') return __GENERATOR_VERSION__;
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export const GENERATOR_VERSION = readVersion();
