// Throwaway PostgreSQL clusters for end-to-end tests: initdb into a temp directory as an
// unprivileged user (the `postgres` account when we are root, since the server refuses to
// run as root), a free loopback port, trust authentication, and stop/start at will.
// scripts/install-tools.sh postgres installs Debian's postgresql package when it is missing.
import { execa } from 'execa';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './go.js';
import { ensureTools } from './tools.js';

export interface Cluster {
  port: number;
  /** The directory of the server's programs (psql for tests that need a session of their own). */
  binDir: string;
  /** A URL for the cluster's `postgres` database as superuser `app`. */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major> whose bin has initdb. */
export function postgresRoot(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((m) => existsSync(join(root, m, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error('PostgreSQL is not installed: run scripts/install-tools.sh postgres (as root)');
  return join(root, majors[0]!);
}

const binDir = (): string => join(postgresRoot(), 'bin');

export async function startCluster(): Promise<Cluster> {
  await ensureTools(['postgres']);
  const bin = binDir();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'cgks-pg-'));
  if (root) chownSync(dir, ...(await postgresIds()));
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    execa(root ? 'runuser' : join(bin, cmd), root ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args, {
      stdin: 'ignore',
      all: true,
      reject: false,
      env: { LC_ALL: 'C' },
    });
  const checked = async (cmd: string, args: string[]) => {
    const r = await run(cmd, args);
    if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.all}`);
  };
  await checked('initdb', ['-D', data, '-U', 'app', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const cluster: Cluster = {
    port,
    binDir: bin,
    url: `postgres://app@127.0.0.1:${port}/postgres?sslmode=disable`,
    start: () => checked('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '30', 'start']),
    stop: () => checked('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: async () => {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

async function postgresIds(): Promise<[number, number]> {
  const r = await execa('id', ['postgres'], { reject: false });
  const uid = /uid=(\d+)/.exec(r.stdout)?.[1];
  const gid = /gid=(\d+)/.exec(r.stdout)?.[1];
  if (!uid || !gid) throw new Error('no postgres user: the postgresql package creates it');
  return [Number(uid), Number(gid)];
}
