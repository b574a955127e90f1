// `node --import ./bench/lib/load-log.mjs ...`: appends the URL of every file module the
// process loads to $CGKS_BENCH_LOADLOG (which chunks a command really loads).
import { register } from 'node:module';

if (process.env.CGKS_BENCH_LOADLOG) register('./load-log-hook.mjs', import.meta.url);
