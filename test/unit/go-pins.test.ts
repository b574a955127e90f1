// go.mod and go.sum are rendered from data (generators/render/go-pins.json): every module and
// go.sum line with the options that need it. The data is in the form the pin script writes for
// what it renders, and what it renders is consistent: every required module has its go.mod hash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pins from '../../generators/render/go-pins.json' with { type: 'json' };
import { GO_PIN_FEATURES, renderGoMod, renderGoSum, type GoPinFeature } from '../../generators/render/go-pins.js';
import { pinsFromVariants, whenTerms } from '../../scripts/lib/go-pins-data.js';

const COMBOS: GoPinFeature[][] = Array.from({ length: 1 << GO_PIN_FEATURES.length }, (_, i) =>
  GO_PIN_FEATURES.filter((_f, k) => i & (1 << k)),
);
const answers = (goVersion: string, on: GoPinFeature[]) => ({
  module: 'example.com/acme/orders',
  goVersion,
  metrics: on.includes('metrics'),
  tracing: on.includes('tracing'),
  database: on.includes('postgres') ? 'postgres' : 'none',
  automaxprocs: on.includes('automaxprocs'),
});

test('when-terms: the smallest option sets that have a line, "*" for always, exact sets where more options drop it', () => {
  const all = COMBOS.map((c) => [...c]);
  const of = (pred: (c: string[]) => boolean) => new Set(all.filter(pred).map((c) => c.join('+')));
  assert.equal(
    whenTerms(
      of(() => true),
      all,
    ),
    ['*'],
  );
  assert.equal(
    whenTerms(
      of((c) => c.includes('metrics') || c.includes('tracing')),
      all,
    ).sort(),
    ['metrics', 'tracing'],
  );
  assert.equal(
    whenTerms(
      of((c) => c.includes('tracing') && c.includes('postgres')),
      all,
    ),
    ['tracing+postgres'],
  );
  // Kept only while postgres and automaxprocs do not pull a newer version: exact sets.
  assert.equal(
    whenTerms(
      of((c) => c.includes('tracing') && !c.includes('postgres') && !c.includes('automaxprocs')),
      all,
    ).sort(),
    ['=metrics+tracing', '=tracing'],
  );
});

for (const [baseline, goVersion] of [
  ['1.25', '1.25'],
  ['1.26', '1.26'],
] as const) {
  test(`go-pins.json for Go ${baseline} is what the pin script writes for its own renderings (round trip)`, () => {
    const variants = COMBOS.map((on) => ({
      features: on,
      goMod: renderGoMod(answers(goVersion, on) as never, `${goVersion}.0`),
      goSum: renderGoSum(answers(goVersion, on) as never),
    }));
    assert.equal(pinsFromVariants(variants), (pins as unknown as { baselines: Record<string, unknown> }).baselines[baseline]);
  });

  test(`Go ${baseline}: every module go.mod requires has its go.mod hash in go.sum, and the service's own imports their code hash`, () => {
    for (const on of COMBOS) {
      const mod = renderGoMod(answers(goVersion, on) as never, `${goVersion}.0`);
      const sum = new Set(
        renderGoSum(answers(goVersion, on) as never)
          .split('\n')
          .map((l) => l.split(' ').slice(0, 2).join(' ')),
      );
      for (const m of mod.matchAll(/^\t(\S+) (\S+)( \/\/ indirect)?$/gm)) {
        assert.ok(sum.has(`${m[1]} ${m[2]}/go.mod`), `${on.join('+') || 'no options'}: ${m[1]} ${m[2]}/go.mod`);
        if (!m[3]) assert.ok(sum.has(`${m[1]} ${m[2]}`), `${on.join('+') || 'no options'}: ${m[1]} ${m[2]}`);
      }
    }
  });
}

test('Go versions after the newest baseline render the newer baseline; the go line follows the answer', () => {
  for (const on of COMBOS) {
    const a = answers('1.28', on);
    assert.is(renderGoSum(a as never), renderGoSum({ ...a, goVersion: '1.26' } as never));
    assert.match(renderGoMod(a as never, '1.28.0'), /^module example\.com\/acme\/orders\n\ngo 1\.28\.0\n\nrequire \(\n/);
  }
});

test.run();
