// create --preset at a terminal: the preset's defaults are the prompts' defaults, its locked
// answers are not asked, and its own questions are asked after ours, with their rules.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI } from '../support/cli.js';
import { KEY, spawnPty, type Pty } from '../support/pty.js';
import { EXAMPLE } from '../support/preset.js';

let pty: Pty | undefined;
test.after.each(() => {
  try {
    pty?.kill('SIGKILL');
  } catch {
    // already gone
  }
});

async function answer(p: Pty, prompt: RegExp | string, keys: string): Promise<string> {
  const screen = await p.expect(prompt);
  p.write(keys);
  return screen;
}

test("the preset's defaults shown, the locked CI not asked, its questions asked with their rules", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-preset-tty-'));
  pty = await spawnPty(process.execPath, [CLI, '--no-install', '--no-git', '--preset', EXAMPLE], { cwd: dir, env: {} });
  await answer(pty, /\? Service name \(directory, binary, Kubernetes and Helm name\) $/, 'orders\r');
  await answer(pty, '? Go module path (gitlab.acme.dev/services/orders)', '\r');
  await answer(pty, '? One-line description', '\r');
  await answer(pty, /\? Go version \(1\.\d+\)/, '\r');
  await answer(pty, '? HTTP port (8080)', '\r');
  await answer(pty, '? Container image repository (no tag) (registry.acme.dev/services/orders)', '\r');
  // No CI question: the preset locks it. The base image comes next.
  const base = await answer(pty, /\? Runtime base image[\s\S]*distroless/, '\r');
  assert.not.match(base, /CI provider/);
  await answer(pty, '? Expose Prometheus metrics on /metrics? (Y/n)', '\r');
  await answer(pty, '? Trace requests with OpenTelemetry (OTLP)? (y/N)', '\r');
  await answer(pty, '? Compile automaxprocs in (AUTOMAXPROCS=true switches it on)? (Y/n)', '\r');
  await answer(pty, '? Sign the pushed image with cosign (keyless, by digest)? (y/N)', '\r');
  await answer(pty, '? Add a scheduled CI job that opens generator update pull requests (without self-hosted Renovate)? (y/N)', '\r');
  await answer(pty, /\? Database[\s\S]*none/, '\r');
  await answer(pty, /\? How environments are deployed[\s\S]*helm upgrade/, '\r');
  await answer(pty, '? Owner in the service catalog (Backstage group or user) (group:default/services)', '\r');
  await answer(pty, '? System in the service catalog (empty for none)', '\r');
  await answer(pty, /\? Lifecycle in the service catalog[\s\S]*experimental/, '\r');
  await answer(pty, '? Owning team (a Kubernetes label value, e.g. payments)', 'Payments!\r');
  await answer(pty, '>> must match ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', KEY.clearLine + 'payments\r');
  await answer(pty, '? Cost centre the service is billed to (CC-0000)', 'CC-0042\r');
  await answer(pty, '? Write the project? (Y/n, e to edit an answer)', '\r');
  const exit = await pty.waitExit();
  assert.is(exit.code, 0, pty.text());
  const record = JSON.parse(readFileSync(join(dir, 'orders/.go-k8s-service.json'), 'utf8')) as {
    answers: { ci: string };
    preset: { answers: unknown };
  };
  assert.is(record.answers.ci, 'gitlab');
  assert.equal(record.preset.answers, { team: 'payments', costCentre: 'CC-0042' });
});

test.run();
