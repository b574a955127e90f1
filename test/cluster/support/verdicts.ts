// The real-cluster suite's judgements, as pure functions of what was observed: each returns a
// Verdict (what was measured and the problems found; none means pass). The test files assert a
// verdict and the report records the same verdict (ReportSection.expect), so a report line can
// only say PASS when the assertion held. test/unit/cluster-verdicts.test.ts proves each one fails
// on its negative control.

export interface Verdict {
  /** What was measured, for the report and the failure message. */
  measured: string;
  /** Each reason the check fails; empty means it passes. */
  problems: string[];
}

export const verdict = (measured: string, problems: string[]): Verdict => ({ measured, problems });

// ---- rolls --------------------------------------------------------------------------------------

/** A pod as a roll sees it: who it is, which template it runs, where it answers. */
export interface RollPod {
  name: string;
  uid: string;
  /** The pod-template-hash label its ReplicaSet gave it. */
  templateHash: string;
  podIP: string;
}

/**
 * Whether a roll replaced every pod: none of the pods before it (by UID) is left, the pods after it
 * all run one pod template that none of the old pods ran, there are as many as wanted, and traffic
 * through the Service reached the new pods (SERVED: the pod IPs that answered connections after the
 * roll, read from the node's connection tracking) and only them.
 */
export function rollVerdict(before: readonly RollPod[], after: readonly RollPod[], served: readonly string[], replicas: number): Verdict {
  const problems: string[] = [];
  if (before.length === 0) problems.push('no pods before the roll: nothing to compare');
  if (after.length !== replicas) problems.push(`${after.length} pods after the roll, ${replicas} wanted`);
  const oldUids = new Set(before.map((p) => p.uid));
  for (const p of after) if (oldUids.has(p.uid)) problems.push(`pod ${p.name} (uid ${p.uid}) was not replaced`);
  const oldHashes = new Set(before.map((p) => p.templateHash));
  const newHashes = [...new Set(after.map((p) => p.templateHash))];
  if (newHashes.length > 1) problems.push(`the pods after the roll run ${newHashes.length} templates (${newHashes.join(', ')})`);
  for (const h of newHashes) if (oldHashes.has(h)) problems.push(`pod-template-hash ${h} unchanged by the roll`);
  const newIPs = new Map(after.map((p) => [p.podIP, p.name]));
  const servedSet = [...new Set(served)];
  if (servedSet.length === 0) problems.push('no connection through the Service was seen reaching a pod after the roll');
  for (const ip of servedSet) if (!newIPs.has(ip)) problems.push(`a connection after the roll reached ${ip}, not a new pod`);
  const reached = servedSet.filter((ip) => newIPs.has(ip)).map((ip) => newIPs.get(ip)!);
  return verdict(
    `${before.length} pods replaced by ${after.length} (template ${[...oldHashes].join(',') || '-'} → ${newHashes.join(',') || '-'}); ` +
      `connections after the roll reached ${reached.length} new pod(s)${reached.length ? ` (${reached.sort().join(', ')})` : ''}`,
    problems,
  );
}

/** One connection-tracking entry, as `conntrack -L` prints it. */
export interface Conntrack {
  protocol: string;
  /** Seconds until the entry expires (refreshed by every packet). */
  timeout: number;
  state: string;
  origSrc: string;
  origDst: string;
  origDport: number;
  replySrc: string;
  replySport: number;
}

/** Parses `conntrack -L` output (original direction first, then the reply direction). */
export function parseConntrack(text: string): Conntrack[] {
  const out: Conntrack[] = [];
  for (const line of text.split('\n')) {
    const proto = /^(tcp|udp|sctp)\s/.exec(line)?.[1];
    if (!proto) continue;
    const head = /^\S+\s+\d+\s+(\d+)\s+([A-Z_]+\s)?/.exec(line);
    const timeout = Number(head?.[1] ?? 0);
    const state = head?.[2]?.trim() ?? '';
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]!);
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]!);
    const sport = [...line.matchAll(/\bsport=(\d+)/g)].map((m) => Number(m[1]));
    const dport = [...line.matchAll(/\bdport=(\d+)/g)].map((m) => Number(m[1]));
    if (src.length < 2 || dst.length < 1 || dport.length < 1 || sport.length < 2) continue;
    out.push({
      protocol: proto,
      timeout,
      state,
      origSrc: src[0]!,
      origDst: dst[0]!,
      origDport: dport[0]!,
      replySrc: src[1]!,
      replySport: sport[1]!,
    });
  }
  return out;
}

/** How recently an entry must have seen a packet to count as a live connection. */
const FRESH_SECONDS = 10;

/**
 * The pod IPs behind established TCP connections to a Service's cluster IP and port; with
 * TIMEOUTS (the kernel's per-state timeouts an entry may be refreshed to: established, and
 * unacknowledged data), only entries refreshed within the last few seconds under one of them
 * (a pod that vanished without closing leaves an established entry that only ages).
 */
export function servedBy(entries: readonly Conntrack[], clusterIP: string, port: number, timeouts?: readonly number[]): string[] {
  const fresh = (t: number) => !timeouts || timeouts.some((max) => t <= max && t >= max - FRESH_SECONDS);
  const live = entries.filter(
    (e) =>
      e.protocol === 'tcp' &&
      e.state === 'ESTABLISHED' &&
      fresh(e.timeout) &&
      e.origDst === clusterIP &&
      e.origDport === port &&
      e.replySrc !== clusterIP,
  );
  return [...new Set(live.map((e) => e.replySrc))].sort();
}

// ---- shutdown -----------------------------------------------------------------------------------

export interface ShutdownObservation {
  /** Seconds from the pod's deletion to its container's exit; NaN when it never exited. */
  exitSeconds: number;
  /** The container's exit code as the kubelet reported it; undefined when it was never seen. */
  exitCode: number | undefined;
  graceSeconds: number;
  /** SHUTDOWN_DELAY as the pod's environment says ("5s"). */
  delay: string;
}

/** The shutdown budget: the container exits by itself, with code 0, after the drain delay and within the grace period. */
export function shutdownVerdict(o: ShutdownObservation): Verdict {
  const problems: string[] = [];
  const delay = parseFloat(o.delay);
  if (!Number.isFinite(o.exitSeconds)) problems.push('the container did not exit');
  else {
    if (!(o.exitSeconds < o.graceSeconds)) problems.push(`exit after ${o.exitSeconds.toFixed(1)} s, grace period ${o.graceSeconds} s`);
    if (!Number.isFinite(delay)) problems.push(`SHUTDOWN_DELAY "${o.delay}" is not a duration`);
    else if (o.exitSeconds < delay - 0.5) problems.push(`exit after ${o.exitSeconds.toFixed(1)} s: sooner than SHUTDOWN_DELAY ${o.delay}`);
  }
  if (o.exitCode === undefined) problems.push('the exit code was never seen');
  else if (o.exitCode !== 0) problems.push(`exit code ${o.exitCode}`);
  return verdict(
    `${Number.isFinite(o.exitSeconds) ? o.exitSeconds.toFixed(1) : '?'} s from deletion to exit, exit code ${o.exitCode ?? 'unseen'}`,
    problems,
  );
}
