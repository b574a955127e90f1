// Starts a node in WORK_DIR (argv[2]), prints "up", then holds it until killed: node.test.ts
// kills this process with SIGKILL to prove the node's watcher tears everything down anyway.
import { startNode } from './node.js';

await startNode({ workDir: process.argv[2]!, progress: (l) => process.stderr.write(`${l}\n`) });
process.stdout.write('up\n');
setInterval(() => {}, 1 << 30);
