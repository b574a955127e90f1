// An OTLP/HTTP collector stand-in: it decodes what the real exporter sends (protobuf, maybe
// gzip) just far enough to count spans by trace id, and keeps each decoded request.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Reads the fields of one protobuf message: [field number, wire type, value] (bytes for LEN). */
function* fields(buf: Buffer): Generator<[number, number, Buffer | bigint]> {
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const [field, wire] = [key >>> 3, key & 7];
    if (wire === 0) {
      yield [field, wire, varint()];
      continue;
    }
    const len = wire === 2 ? Number(varint()) : wire === 1 ? 8 : wire === 5 ? 4 : undefined;
    if (len === undefined) throw new Error(`unexpected protobuf wire type ${wire}`);
    const start = i;
    i += len;
    yield [field, wire, buf.subarray(start, i)];
  }
}
const children = (buf: Buffer, field: number): Buffer[] =>
  [...fields(buf)].filter(([f, w]) => f === field && w === 2).map(([, , v]) => v as Buffer);

/** The trace ids (hex) of every span in an ExportTraceServiceRequest (opentelemetry-proto). */
export function traceIdsOf(request: Buffer): string[] {
  const ids: string[] = [];
  for (const resourceSpans of children(request, 1))
    for (const scopeSpans of children(resourceSpans, 2))
      for (const span of children(scopeSpans, 2)) ids.push(children(span, 1)[0]!.toString('hex'));
  return ids;
}

export interface Collector {
  url: string;
  received(): { bytes: number; traceIds: string[]; payloads: Buffer[] };
  reset(): void;
  close(): void;
}

export async function otlpCollector(host = '127.0.0.1'): Promise<Collector> {
  let bytes = 0;
  let traceIds: string[] = [];
  let payloads: Buffer[] = [];
  const srv: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bytes += wire.length;
        traceIds.push(...traceIdsOf(body));
        payloads.push(body);
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    received: () => ({ bytes, traceIds: [...traceIds], payloads: [...payloads] }),
    reset: () => {
      bytes = 0;
      traceIds = [];
      payloads = [];
    },
    close: () => srv.close(),
  };
}
