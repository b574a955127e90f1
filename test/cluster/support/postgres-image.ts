// A PostgreSQL image for the node without a registry: Debian's own server (the host's
// /usr/lib/postgresql/<major>, installed by `install-tools.sh postgres`) with the shared
// libraries it links, its share/ files and the time zones, on the busybox stand-in (a shell for
// initdb and the start script). It runs as 65532 with a read-only root, so it fits a namespace
// that enforces Pod Security "restricted"; the data lives in an emptyDir. Test use only: trust
// authentication inside the pod network.
import { execa } from 'execa';
import { chmodSync, cpSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildah, ensureStandIns, lockStore } from '../../support/image.js';
import { postgresRoot } from '../../support/postgres.js';
import { exportArchive, type ImageRef } from './images.js';

/** Every shared library the files link (ldd), with the dynamic loader. */
async function sharedLibraries(files: string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const f of files) {
    const r = await execa('ldd', [f], { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) continue; // not a dynamic executable
    for (const m of String(r.stdout).matchAll(/(\/\S+) \(0x/g)) libs.add(m[1]!);
  }
  return [...libs];
}

const START = `#!/bin/sh
# initdb on first start (trust: test only), then the server in the foreground.
set -e
bin=$PG_ROOT/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust --locale=C -E UTF8 --no-instructions >/dev/null
  echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf"
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp -c max_connections=50
`;

/** Builds the image as REF into WORK/postgres.oci.tar. */
export async function buildPostgresImage(work: string, ref: { repository: string; tag: string; ref: string }): Promise<ImageRef> {
  const t0 = Date.now();
  const root = postgresRoot();
  const major = root.split('/').pop()!;
  const stage = join(work, 'postgres-rootfs');
  mkdirSync(stage, { recursive: true });
  const put = (src: string, dest = src) => {
    mkdirSync(dirname(join(stage, dest)), { recursive: true });
    // Directories keep their (relative) links; a library is copied as the file its link names.
    if (statSync(src).isDirectory()) cpSync(src, join(stage, dest), { recursive: true, verbatimSymlinks: true });
    else cpSync(realpathSync(src), join(stage, dest));
  };
  put(root);
  put(`/usr/share/postgresql/${major}`);
  put('/usr/share/zoneinfo');
  const binaries = readdirSync(join(root, 'bin')).map((b) => join(root, 'bin', b));
  const modules = readdirSync(join(root, 'lib'))
    .filter((f) => f.endsWith('.so'))
    .map((f) => join(root, 'lib', f));
  for (const lib of await sharedLibraries([...binaries, ...modules])) put(lib);
  mkdirSync(join(stage, 'etc'), { recursive: true });
  writeFileSync(join(stage, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\npostgres:x:65532:65532:postgres:/tmp:/bin/sh\n');
  writeFileSync(join(stage, 'etc', 'group'), 'root:x:0:\npostgres:x:65532:\n');
  mkdirSync(join(stage, 'usr', 'local', 'bin'), { recursive: true });
  writeFileSync(join(stage, 'usr', 'local', 'bin', 'pg-start'), START);
  chmodSync(join(stage, 'usr', 'local', 'bin', 'pg-start'), 0o755);

  const base = (await ensureStandIns()).alpine;
  const release = await lockStore();
  try {
    const from = await buildah(['from', '--pull=never', base]);
    if (!from.ok) throw new Error(`buildah from ${base}: ${from.output}`);
    const ctr = from.stdout.trim();
    try {
      for (const args of [
        ['copy', ctr, stage, '/'],
        [
          'config',
          '--user',
          '65532:65532',
          '--env',
          `PG_ROOT=${root}`,
          '--env',
          'PGDATA=/var/lib/postgresql/data',
          '--port',
          '5432',
          '--entrypoint',
          '["/usr/local/bin/pg-start"]',
          '--cmd',
          '',
          ctr,
        ],
        ['commit', '--quiet', ctr, ref.ref],
      ]) {
        const x = await buildah(args);
        if (!x.ok) throw new Error(`buildah ${args.slice(0, 2).join(' ')}: ${x.output}`);
      }
    } finally {
      await buildah(['rm', ctr]);
    }
    const archive = join(work, 'postgres.oci.tar');
    const archiveBytes = await exportArchive(ref.ref, archive);
    return { ...ref, archive, archiveBytes, buildSeconds: (Date.now() - t0) / 1000 };
  } finally {
    release();
  }
}

/** A PostgreSQL Deployment and Service named NAME in NS, restricted, data in an emptyDir. */
export function postgresObjects(ns: string, name: string, image: string): unknown[] {
  const labels = { 'app.kubernetes.io/name': name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'postgres',
                image,
                imagePullPolicy: 'Never',
                ports: [{ name: 'postgres', containerPort: 5432 }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 1 },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels },
      spec: { selector: labels, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] },
    },
  ];
}
