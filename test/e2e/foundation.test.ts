// The foundation promise: `--yes` writes a repo that builds, vets, tests, is gofmt- and
// tidy-clean, starts, answers its probes, logs JSON and stops cleanly on SIGTERM; and user
// text with every special character survives into the README and Chart.yaml exactly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../support/cli.js';
import { freePort, get, go, startService, waitForStatus } from '../support/go.js';

const HOSTILE = `Says "hi" & 'bye' with \`ticks\`, {{ .Values.x }}, \${{ secrets.T }}, <b>, a: b # not a comment, 100%`;

interface Combo {
  label: string;
  flags: string[];
  name: string;
  port: number;
  description?: string;
}

const combos: Combo[] = [
  { label: 'defaults', flags: [], name: 'demo-svc', port: 8080 },
  {
    label: 'every option flipped',
    name: 'orders-api',
    port: 9090,
    description: HOSTILE,
    flags: [
      '--module',
      'example.com/acme/orders-api/v2',
      '--go-version',
      '1.25',
      '--port',
      '9090',
      '--image',
      'registry.acme.test:5000/team/orders',
      '--ci',
      'gitlab',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--tracing',
      '--no-automaxprocs',
      '--description',
      HOSTILE,
    ],
  },
];

for (const c of combos) {
  const t = suite(`foundation: ${c.label}`);
  let dir = '';

  t.before(async () => {
    const parent = mkdtempSync(join(tmpdir(), 'cgks-foundation-'));
    dir = join(parent, c.name);
    const r = await runCli([dir, '--yes', '--no-git', '--no-install', '--json', ...c.flags]);
    assert.is(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { ok: boolean; files: string[] };
    assert.ok(result.ok);
    assert.ok(result.files.includes(`cmd/${c.name}/main.go`));
  });

  t('go build, go vet and go test -race pass', async () => {
    for (const args of [
      ['build', './...'],
      ['vet', './...'],
      ['test', '-race', '-count=1', './...'],
    ]) {
      const r = await go(dir, args);
      assert.is(r.exitCode, 0, `go ${args.join(' ')}:\n${r.all}`);
    }
  });

  t('gofmt -l prints nothing and go mod tidy -diff shows no change', async () => {
    const fmt = await go(dir, ['fmt', '-n', './...']);
    assert.is(fmt.exitCode, 0, fmt.all);
    const { execa } = await import('execa');
    const gofmt = await execa('gofmt', ['-l', '.'], { cwd: dir, reject: false });
    assert.is(gofmt.exitCode, 0, gofmt.stderr);
    assert.is(gofmt.stdout.trim(), '', `not gofmt-clean:\n${gofmt.stdout}`);
    const tidy = await go(dir, ['mod', 'tidy', '-diff']);
    assert.is(tidy.exitCode, 0, `go.mod/go.sum are not what tidy writes:\n${tidy.all}`);
  });

  t('the binary serves /healthz and /ready, logs JSON, and exits 0 on SIGTERM', async () => {
    const bin = join(dir, 'bin', c.name);
    const b = await go(dir, ['build', '-o', bin, `./cmd/${c.name}`]);
    assert.is(b.exitCode, 0, b.all);
    const port = await freePort();
    const svc = startService(bin, { SHUTDOWN_DELAY: '1s', SHUTDOWN_TIMEOUT: '5s' }, port);
    try {
      await waitForStatus(svc.url('/healthz'), 200);
      await waitForStatus(svc.url('/ready'), 200);
      const hello = await get(svc.url('/api/v1/hello'));
      assert.is(hello?.status, 200);
      const sent = Date.now();
      svc.proc.kill('SIGTERM');
      const exit = await Promise.race([
        svc.exited,
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no exit within 8s')), 8000)),
      ]);
      assert.is(exit.code, 0, svc.stderr.join('\n'));
      assert.ok(exit.at - sent < 1000 + 5000 + 1000, `took ${exit.at - sent} ms`);
    } finally {
      svc.proc.kill('SIGKILL');
    }
    assert.ok(svc.stdout.length > 0, 'no log lines on stdout');
    for (const line of svc.stdout) {
      let entry: { level?: unknown; message?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        throw new Error(`log line is not JSON: ${line}`);
      }
      assert.type(entry.level, 'string', line);
      assert.type(entry.message, 'string', line);
    }
  });

  if (c.description) {
    t('the description comes out exactly as typed in README.md and Chart.yaml', () => {
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      assert.ok(readme.includes(c.description!), 'README.md lost or changed the description');
      const chart = parseYaml(readFileSync(join(dir, 'charts', c.name, 'Chart.yaml'), 'utf8')) as { description: string };
      assert.is(chart.description, c.description);
    });
  }

  t('the record holds the answers and the generator version', () => {
    const rec = JSON.parse(readFileSync(join(dir, '.go-k8s-service.json'), 'utf8'));
    assert.is(rec.generator, 'create-go-k8s-service');
    assert.is(rec.answers.name, c.name);
    assert.is(rec.answers.port, c.port);
    assert.match(rec.version, /^\d+\.\d+\.\d+/);
  });

  t.run();
}
