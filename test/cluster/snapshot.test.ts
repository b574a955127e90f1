// The "leaves nothing behind" snapshot (test/cluster/support/host-snapshot.ts) sees each kind of
// leftover on this real machine, with no node: a rule in ip6tables, a cgroup, a file of CNI's
// state, a tracked connection of the node's ranges and a socket listening on a node port are made
// by hand, must each show in the comparison, and once removed the machine compares clean again.
// Root on Linux only: elsewhere it fails saying why (it runs only when asked for).
import { execa } from 'execa';
import { mkdirSync, rmdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mustRunHere } from '../support/skip.js';
import { hostSnapshot, snapshotDiff } from './support/host-snapshot.js';
import { withNodeLock } from './support/node.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
const CHAIN = 'CNI-CGKS-PROBE';
const CGROUP = '/sys/fs/cgroup/pids/cgks-probe';
const CNI_DIR = '/var/lib/cni/networks/cgks-probe';
const CONN = ['-p', 'tcp', '-s', '10.245.0.2', '-d', '10.96.0.99', '--sport', '40000', '--dport', '80'];

const sh = (cmd: string, args: string[]) => execa(cmd, args, { reject: false, timeout: 30_000 });

if (!canRun) {
  mustRunHere('the host snapshot', `needs root on Linux (this is ${process.platform}, uid ${process.getuid?.()})`);
} else {
  test('a leftover of each kind shows in the comparison, and the machine compares clean once they are gone', async () => {
    // Under the node lock: no node of another run may start or stop meanwhile.
    await withNodeLock(async () => {
      const hadIp6Filter = (await sh('nft', ['list', 'tables'])).stdout.split('\n').includes('table ip6 filter');
      const before = await hostSnapshot('/nonexistent-cgks-work');
      let server: Server | undefined;
      let cniMade: string | undefined;
      try {
        assert.is((await sh('ip6tables', ['-N', CHAIN])).exitCode, 0, 'ip6tables -N');
        mkdirSync(CGROUP);
        // The first directory it had to make (/var/lib/cni/networks when only /var/lib/cni was there) goes again.
        cniMade = mkdirSync(CNI_DIR, { recursive: true });
        writeFileSync(`${CNI_DIR}/10.244.0.99`, 'probe\n');
        const ins = await sh('conntrack', [
          '-I',
          ...CONN,
          '--state',
          'ESTABLISHED',
          '-t',
          '120',
          '-r',
          '10.244.0.99',
          '-q',
          '10.245.0.2',
          '--reply-port-src',
          '8080',
          '--reply-port-dst',
          '40000',
          '-u',
          'ASSURED',
        ]);
        assert.is(ins.exitCode, 0, ins.stderr);
        server = createServer();
        await new Promise<void>((ok, fail) => server!.once('error', fail).listen(10256, '127.0.0.1', ok));

        const diff = await hostSnapshot('/nonexistent-cgks-work').then((after) => snapshotDiff(before, after));
        for (const want of [
          `ip6tables: left behind: :${CHAIN} - [0:0]`,
          `cgroups: left behind: ${CGROUP}`,
          `cni: left behind: ${CNI_DIR}/10.244.0.99`,
          'conntrack: left behind: tcp 10.245.0.2 > 10.96.0.99:80 < 10.244.0.99:8080',
          'sockets: left behind: tcp 127.0.0.1:10256 node',
          ...(hadIp6Filter ? [] : ['ip6tables: left behind: *filter']),
        ]) {
          assert.ok(diff.includes(want), `the snapshot missed "${want}"; it saw:\n${diff.join('\n')}`);
        }
      } finally {
        await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
        await sh('conntrack', ['-D', ...CONN]);
        if (existsSync(CGROUP)) rmdirSync(CGROUP);
        if (cniMade) rmSync(cniMade, { recursive: true, force: true });
        await sh('ip6tables', ['-X', CHAIN]);
        // `ip6tables -N` made the table if it was not there: so does a node's first rule.
        if (!hadIp6Filter) await sh('nft', ['delete', 'table', 'ip6', 'filter']);
      }
      const clean = snapshotDiff(before, await hostSnapshot('/nonexistent-cgks-work'));
      assert.equal(clean, [], 'the probes were removed, yet the machine does not compare clean');
    });
  });
}

test.run();
