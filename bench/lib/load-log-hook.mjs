// Hook half of load-log.mjs (runs on node's loader thread).
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (url.startsWith('file:') && process.env.CGKS_BENCH_LOADLOG) appendFileSync(process.env.CGKS_BENCH_LOADLOG, `${url}\n`);
  return next(url, context);
}
