// The real-cluster suite's judgements (test/cluster/support/verdicts.ts), each with the case it
// must fail on: a roll that replaced nothing, a roll whose traffic stayed on an old pod, a
// shutdown whose exit code was never seen.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConntrack, rollVerdict, servedBy, shutdownVerdict, type RollPod } from '../cluster/support/verdicts.js';

const pod = (name: string, uid: string, templateHash: string, podIP: string): RollPod => ({ name, uid, templateHash, podIP });
const before = [
  pod('a-111-x', 'u1', '111', '10.244.0.5'),
  pod('a-111-y', 'u2', '111', '10.244.0.6'),
  pod('a-111-z', 'u3', '111', '10.244.0.7'),
];
const after = [
  pod('a-222-p', 'u4', '222', '10.244.0.8'),
  pod('a-222-q', 'u5', '222', '10.244.0.9'),
  pod('a-222-r', 'u6', '222', '10.244.0.10'),
];

test('a roll that replaced every pod, with traffic on the new pods, passes', () => {
  const v = rollVerdict(before, after, ['10.244.0.8', '10.244.0.10'], 3);
  assert.equal(v.problems, []);
  assert.match(v.measured, '3 pods replaced by 3 (template 111 → 222); connections after the roll reached 2 new pod(s) (a-222-p, a-222-r)');
});

test('negative control: a roll that changed nothing (a chart ignoring the change) fails, naming every kept pod and the template', () => {
  const v = rollVerdict(before, before, ['10.244.0.5'], 3);
  assert.equal(v.problems, [
    'pod a-111-x (uid u1) was not replaced',
    'pod a-111-y (uid u2) was not replaced',
    'pod a-111-z (uid u3) was not replaced',
    'pod-template-hash 111 unchanged by the roll',
  ]);
});

test('negative control: a half-done roll (one old pod kept, two templates) fails', () => {
  const v = rollVerdict(before, [after[0]!, after[1]!, before[2]!], ['10.244.0.8'], 3);
  assert.equal(v.problems, [
    'pod a-111-z (uid u3) was not replaced',
    'the pods after the roll run 2 templates (222, 111)',
    'pod-template-hash 111 unchanged by the roll',
  ]);
});

test('negative control: traffic that never reached a new pod, or reached an old one, fails', () => {
  assert.equal(rollVerdict(before, after, [], 3).problems, ['no connection through the Service was seen reaching a pod after the roll']);
  assert.equal(rollVerdict(before, after, ['10.244.0.8', '10.244.0.5'], 3).problems, [
    'a connection after the roll reached 10.244.0.5, not a new pod',
  ]);
});

test('negative control: too few pods after the roll, or none before it, fails', () => {
  assert.equal(rollVerdict(before, after.slice(0, 2), ['10.244.0.8'], 3).problems, ['2 pods after the roll, 3 wanted']);
  assert.ok(rollVerdict([], after, ['10.244.0.8'], 3).problems.includes('no pods before the roll: nothing to compare'));
});

// As conntrack-tools 1.4.7 prints them: the load namespace's connections to a cluster IP,
// DNAT-ed by kube-proxy to pods; one old pod's connection closed, one aged without a packet.
const CONNTRACK = `tcp      6 431999 ESTABLISHED src=10.245.0.2 dst=10.96.113.4 sport=41234 dport=80 src=10.244.0.8 dst=10.245.0.2 sport=8080 dport=41234 [ASSURED] mark=0 use=1
tcp      6 431998 ESTABLISHED src=10.245.0.2 dst=10.96.113.4 sport=41236 dport=80 src=10.244.0.10 dst=10.245.0.2 sport=8080 dport=41236 [ASSURED] mark=0 use=1
tcp      6 117 TIME_WAIT src=10.245.0.2 dst=10.96.113.4 sport=41200 dport=80 src=10.244.0.5 dst=10.245.0.2 sport=8080 dport=41200 [ASSURED] mark=0 use=1
tcp      6 431000 ESTABLISHED src=10.245.0.2 dst=10.96.113.4 sport=41100 dport=80 src=10.244.0.6 dst=10.245.0.2 sport=8080 dport=41100 [ASSURED] mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.245.0.2 dst=10.96.7.7 sport=41300 dport=80 src=10.244.0.9 dst=10.245.0.2 sport=8080 dport=41300 [ASSURED] mark=0 use=1
udp      17 28 src=10.244.0.8 dst=10.244.0.1 sport=40000 dport=53 src=10.244.0.1 dst=10.244.0.8 sport=53 dport=40000 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 6 flow entries have been shown.
`;

test('conntrack: entries are read in both directions, and the pods behind live connections to one Service port are found', () => {
  const entries = parseConntrack(CONNTRACK);
  assert.is(entries.length, 6);
  assert.equal(entries[0], {
    protocol: 'tcp',
    timeout: 431999,
    state: 'ESTABLISHED',
    origSrc: '10.245.0.2',
    origDst: '10.96.113.4',
    origDport: 80,
    replySrc: '10.244.0.8',
    replySport: 8080,
  });
  assert.is(entries[5]!.state, '');
  // The aged established entry (a pod gone without closing) counts only without a freshness bound.
  assert.equal(servedBy(entries, '10.96.113.4', 80), ['10.244.0.10', '10.244.0.6', '10.244.0.8']);
  assert.equal(servedBy(entries, '10.96.113.4', 80, [432000]), ['10.244.0.10', '10.244.0.8']);
  assert.equal(servedBy(entries, '10.96.113.4', 443), []);
});

test('conntrack: a live connection caught with data not yet acknowledged counts as fresh (its timeout is nf_conntrack_tcp_timeout_unacknowledged, 300 s)', () => {
  // Seen on the node: between a request and its ACK the kernel sets the entry's timeout to the
  // unacknowledged-data timeout, so a bound of "established − 10 s" missed every live connection.
  const unacked =
    'tcp      6 299 ESTABLISHED src=10.245.0.2 dst=10.96.113.4 sport=41240 dport=80 src=10.244.0.12 dst=10.245.0.2 sport=8080 dport=41240 [ASSURED] mark=0 use=1\n';
  const entries = parseConntrack(unacked + CONNTRACK);
  assert.equal(servedBy(entries, '10.96.113.4', 80, [432000, 300]), ['10.244.0.10', '10.244.0.12', '10.244.0.8']);
  // Aged under the shorter timeout too: not fresh.
  assert.equal(servedBy(parseConntrack(unacked.replace(' 299 ', ' 250 ')), '10.96.113.4', 80, [432000, 300]), []);
});

test('the shutdown budget: exit 0 after the delay and within the grace period passes', () => {
  assert.equal(shutdownVerdict({ exitSeconds: 11.2, exitCode: 0, graceSeconds: 35, delay: '10s' }).problems, []);
});

test('negative control: an exit code never seen fails (it used to be skipped when the pod was gone first)', () => {
  assert.equal(shutdownVerdict({ exitSeconds: 11.2, exitCode: undefined, graceSeconds: 35, delay: '10s' }).problems, [
    'the exit code was never seen',
  ]);
});

test('negative control: a non-zero exit, a late or early exit, or none, fails', () => {
  assert.equal(shutdownVerdict({ exitSeconds: 11.2, exitCode: 2, graceSeconds: 35, delay: '10s' }).problems, ['exit code 2']);
  assert.equal(shutdownVerdict({ exitSeconds: 35.5, exitCode: 137, graceSeconds: 35, delay: '10s' }).problems, [
    'exit after 35.5 s, grace period 35 s',
    'exit code 137',
  ]);
  assert.equal(shutdownVerdict({ exitSeconds: 1, exitCode: 0, graceSeconds: 35, delay: '10s' }).problems, [
    'exit after 1.0 s: sooner than SHUTDOWN_DELAY 10s',
  ]);
  assert.equal(shutdownVerdict({ exitSeconds: Number.NaN, exitCode: undefined, graceSeconds: 35, delay: '10s' }).problems, [
    'the container did not exit',
    'the exit code was never seen',
  ]);
});

test.run();
