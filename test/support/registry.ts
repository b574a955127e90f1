// A stand-in npm registry on loopback for tests: serves the packument and the tarballs of
// the given `npm pack` files, as much of the registry protocol as npm view and npm pack use.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename } from 'node:path';

export interface Registry {
  url: string;
  /** The tarball paths served, in order (one entry per download). */
  downloads: string[];
  close(): Promise<void>;
}

export async function startRegistry(name: string, tarballs: readonly string[], latest?: string): Promise<Registry> {
  const files = new Map(tarballs.map((t) => [basename(t), readFileSync(t)]));
  // npm pack names a scoped package's tarball without the @ and with - for the /.
  const filePrefix = `${name.replace(/^@/, '').replace('/', '-')}-`;
  const downloads: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '/').replace(/\?.*$/, '');
    const port = (server.address() as { port: number }).port;
    if (path === `/${name}`) {
      const versions: Record<string, unknown> = {};
      for (const [file, bytes] of files) {
        const version = file.slice(filePrefix.length, -'.tgz'.length);
        versions[version] = {
          name,
          version,
          dist: {
            tarball: `http://127.0.0.1:${port}/${name}/-/${file}`,
            shasum: createHash('sha1').update(bytes).digest('hex'),
            integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
          },
        };
      }
      const newest = latest ?? Object.keys(versions).at(-1)!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, 'dist-tags': { latest: newest }, versions }));
      return;
    }
    const file = files.get(path.slice(path.lastIndexOf('/') + 1));
    if (path.startsWith(`/${name}/-/`) && file) {
      downloads.push(path);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, downloads, close: () => new Promise((r) => server.close(() => r())) };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
