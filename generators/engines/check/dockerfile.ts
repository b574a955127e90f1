// The Dockerfile's runtime stage: a numeric non-root USER, and EXPOSE of the service's port.
import type { Answers } from '../../model/questions.js';
import type { Checker } from './checker.js';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

/** The runtime (last) stage's instructions; undefined without a Dockerfile (a violation of `rule`). */
function runtimeStage(c: Checker, rule: string): Instruction[] | undefined {
  const text = c.read(rule, 'Dockerfile');
  if (text === undefined) return undefined;
  const all = dockerInstructions(text);
  return all.slice(all.map((x) => x.keyword).lastIndexOf('FROM') + 1);
}

export function checkImageUser(c: Checker): void {
  const runtime = runtimeStage(c, 'non-root');
  if (!runtime) return;
  const user = runtime.filter((x) => x.keyword === 'USER').at(-1);
  if (!user) {
    c.fail('non-root', 'Dockerfile', 'the runtime stage has no USER line: the container runs as root (use USER 65532:65532)');
    return;
  }
  const name = user.args.split(':')[0]!;
  if (!/^\d+$/.test(name)) {
    c.fail(
      'non-root',
      'Dockerfile',
      `USER ${user.args} (line ${user.line}) is not numeric: Kubernetes' runAsNonRoot cannot verify a user name (use USER 65532:65532)`,
      user.line,
    );
  } else if (Number(name) === 0) {
    c.fail('non-root', 'Dockerfile', `USER ${user.args} (line ${user.line}) runs the container as root`, user.line);
  }
}

export function checkExpose(c: Checker, a: Answers): void {
  const runtime = runtimeStage(c, 'expose');
  if (!runtime) return;
  const exposes = runtime.filter((x) => x.keyword === 'EXPOSE');
  const exposed = exposes.flatMap((x) => x.args.split(/\s+/)).map((p) => p.replace(/\/tcp$/i, ''));
  if (exposed.length === 0)
    c.fail('expose', 'Dockerfile', `the runtime stage has no EXPOSE; the service listens on ${a.port} (EXPOSE ${a.port})`);
  else if (!exposed.includes(String(a.port))) {
    c.fail('expose', 'Dockerfile', `EXPOSE ${exposed.join(' ')} does not include the service's port ${a.port}`, exposes.at(-1)!.line);
  }
}
