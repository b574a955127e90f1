// The pty harness the interactive CLI tests drive: a failed expectation ends the program, so
// that a failing test fails at once instead of waiting for the runner's budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnPty } from '../support/pty.js';

test('an expectation that times out kills the program, so the test ends', async () => {
  const pty = await spawnPty(process.execPath, ['-e', 'process.stdout.write("waiting\\n"); setInterval(() => {}, 1000)']);
  await pty.expect('waiting');
  const failed = await pty.expect('never printed', 300).then(
    () => undefined,
    (err: Error) => err.message,
  );
  assert.match(failed ?? '', /timed out after 300 ms waiting for never printed/);
  const outcome = await Promise.race([
    pty.exited.then((e) => `ended by signal ${e.signal}`),
    new Promise<string>((r) => setTimeout(() => r('still running 5 s later'), 5000).unref()),
  ]);
  assert.is(outcome, 'ended by signal 9');
});

test.run();
