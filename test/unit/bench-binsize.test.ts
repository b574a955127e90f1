// The bench's "where the image bytes go" table (issue #18): Go symbols summed by module, only
// what takes room in the file, .gopclntab shared out by code size.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  dockerfileBuildTags,
  elfSections,
  moduleOf,
  modulesOf,
  packageOf,
  sizeByModule,
  type ElfSection,
} from '../../bench/lib/binsize.js';

test('packageOf finds the package of functions, methods, types, itabs and generic instances', () => {
  assert.is(packageOf('github.com/rs/zerolog.(*Event).Str'), 'github.com/rs/zerolog');
  assert.is(packageOf('google.golang.org/grpc/internal/transport.NewHTTP2Client'), 'google.golang.org/grpc/internal/transport');
  assert.is(packageOf('net/http.(*conn).serve.func1'), 'net/http');
  assert.is(packageOf('runtime.mallocgc'), 'runtime');
  assert.is(packageOf('type:*net/http.Server'), 'net/http');
  assert.is(packageOf('type:.eq.go.opentelemetry.io/otel/sdk/trace.Config'), 'go.opentelemetry.io/otel/sdk/trace');
  assert.is(packageOf('go:itab.*os.File,io.Writer'), 'os');
  assert.is(packageOf('sync.(*Pool).Get[go.shape.*uint8]'), 'sync');
  assert.is(packageOf('slices.Sort[go.shape.[]github.com/x/y.T]'), 'slices');
  assert.is(packageOf('go:func.*'), 'go:');
  assert.is(packageOf('vendor/golang.org/x/net/idna.idnaValues'), 'vendor/golang.org/x/net/idna');
});

const MODS = ['google.golang.org/grpc', 'google.golang.org/grpc/security/advancedtls', 'github.com/rs/zerolog'];

test('moduleOf takes the longest module path that contains the package', () => {
  assert.is(moduleOf('google.golang.org/grpc/internal/transport', MODS), 'google.golang.org/grpc');
  assert.is(moduleOf('google.golang.org/grpc/security/advancedtls/x', MODS), 'google.golang.org/grpc/security/advancedtls');
  assert.is(moduleOf('google.golang.org/grpcx', MODS), 'Go standard library and runtime', 'a prefix that is not a path parent');
  assert.is(moduleOf('net/http', MODS), 'Go standard library and runtime');
  assert.match(moduleOf('go:', MODS), /linker tables/);
});

test('modulesOf reads the module lines of go version -m', () => {
  const out =
    'bin: go1.26.8\n\tpath\tx/cmd/orders\n\tmod\tx\t(devel)\t\n\tdep\tgithub.com/rs/zerolog\tv1.35.1\th1:abc=\n\tdep\tgithub.com/a/b\tv1.0.0\n\t=>\tgithub.com/c/b\tv1.0.1\th1:x=\n\tbuild\t-trimpath=true\n';
  assert.equal(modulesOf(out), ['x', 'github.com/rs/zerolog', 'github.com/a/b', 'github.com/c/b']);
});

const SECTIONS: ElfSection[] = [
  { name: '.text', type: 1, addr: 0x1000, size: 0x1000 },
  { name: '.rodata', type: 1, addr: 0x2000, size: 0x1000 },
  { name: '.gopclntab', type: 1, addr: 0x3000, size: 300 },
  { name: '.noptrbss', type: 8, addr: 0x5000, size: 0x100000 },
  { name: '.debug_info', type: 1, addr: 0, size: 5000 },
];

test('sizeByModule sums file-backed symbols by module and shares .gopclntab by code', () => {
  const nm = [
    '    1000        100 T github.com/rs/zerolog.(*Event).Str',
    '    1100        200 T google.golang.org/grpc.NewClient',
    '    2000         50 R google.golang.org/grpc/internal/transport.table',
    '    2100         10 R go:string.*',
    '    5000    1000000 D crypto/internal/fips140/drbg.memory', // in .noptrbss: no bytes in the file
    '    1300          0 T empty',
    'not a line',
  ].join('\n');
  const b = sizeByModule(nm, SECTIONS, MODS, 2000);
  assert.equal(
    b.rows.map((r) => [r.module, r.symbols, r.text, r.total]),
    [
      ['google.golang.org/grpc', 250, 200, 450],
      ['github.com/rs/zerolog', 100, 100, 200],
      ['Go linker tables (go:func.*, go:string.*)', 10, 0, 10],
    ],
  );
  assert.is(b.pclntab, 300);
  assert.is(b.unattributed, 2000 - 660);
});

test('elfSections reads the section headers of a real ELF file (this node binary)', () => {
  const secs = elfSections(readFileSync(process.execPath));
  const text = secs.find((s) => s.name === '.text');
  assert.ok(text && text.size > 1_000_000 && text.addr > 0, JSON.stringify(text));
  assert.ok(
    secs.some((s) => s.type === 8),
    'has a NOBITS section (.bss)',
  );
  assert.throws(() => elfSections(Buffer.from('#!/bin/sh\n'.padEnd(64, ' '))), /not a 64-bit little-endian ELF/);
});

test('dockerfileBuildTags reads the tags of the go build line, so the bench builds what the image holds', () => {
  const df = (flags: string) =>
    `FROM x AS build\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    CGO_ENABLED=0 \\\n    go build ${flags} \\\n      -ldflags "-s -w" \\\n      -o /out/x ./cmd/x\n`;
  assert.is(dockerfileBuildTags(df('-trimpath -tags grpcnotrace')), 'grpcnotrace');
  assert.is(dockerfileBuildTags(df('-tags=a,b -trimpath')), 'a,b');
  assert.is(dockerfileBuildTags(df('-trimpath')), '');
  assert.is(dockerfileBuildTags('FROM scratch\n'), '');
  assert.is(
    dockerfileBuildTags(`ARG GO_BUILD_TAGS=grpcnotrace\n${df('-trimpath -tags "${GO_BUILD_TAGS}"')}`),
    'grpcnotrace',
    'an ARG default',
  );
  assert.is(dockerfileBuildTags(df('-tags "$UNSET"')), '', 'an ARG without a default');
});

test.run();
