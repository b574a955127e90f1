#!/usr/bin/env node
// The published bin (bundled to dist/cli.cjs): runs the CLI program, dist/program.cjs, through
// V8's code cache (see code-cache.ts).
import { join } from 'node:path';
import { runProgram } from './code-cache.js';

/** Hash of dist/program.cjs, filled in by scripts/build.ts: a new build never meets an old cache. */
declare const __PROGRAM_KEY__: string;

runProgram(join(__dirname, 'program.cjs'), __PROGRAM_KEY__, process.argv.slice(2), process.env);
