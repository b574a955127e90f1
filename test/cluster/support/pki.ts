// The node's certificates, made with openssl: a CA, the API server's serving certificate, an admin
// client certificate (O=system:masters, used by every component and the tests) and the service
// account key pair. Valid for two days: a node lives for one test run.
import { execa } from 'execa';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const openssl = (args: string[]) => execa('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Issues a certificate signed by the CA (openssl 3's `req -x509 -CA`). */
async function issue(pki: Pki, name: string, subject: string, extensions: string[]): Promise<void> {
  const key = join(pki.dir, `${name}.key`);
  const cert = join(pki.dir, `${name}.crt`);
  await openssl(['genrsa', '-out', key, '2048']);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    subject,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

export async function makePki(dir: string, apiserverIPs: string[]): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki: Pki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  await openssl(['genrsa', '-out', pki.caKey, '2048']);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    pki.caKey,
    '-out',
    pki.caCert,
    '-days',
    '2',
    '-subj',
    '/CN=cgks-cluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const sans = [...dns.map((d) => `DNS:${d}`), ...['127.0.0.1', ...apiserverIPs].map((ip) => `IP:${ip}`)].join(',');
  await issue(pki, 'apiserver', '/CN=kube-apiserver', [
    `subjectAltName=${sans}`,
    'extendedKeyUsage=serverAuth',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'basicConstraints=CA:FALSE',
  ]);
  await issue(pki, 'admin', '/O=system:masters/CN=cgks-admin', [
    'extendedKeyUsage=clientAuth',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'basicConstraints=CA:FALSE',
  ]);
  await openssl(['genrsa', '-out', pki.serviceAccountKey, '2048']);
  await openssl(['rsa', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  return pki;
}

/** A kubeconfig for the admin client certificate. */
export function adminKubeconfig(pki: Pki, server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: cgks
  cluster:
    server: ${server}
    certificate-authority: ${pki.caCert}
users:
- name: cgks-admin
  user:
    client-certificate: ${pki.adminCert}
    client-key: ${pki.adminKey}
contexts:
- name: cgks
  context: {cluster: cgks, user: cgks-admin}
current-context: cgks
`;
}
