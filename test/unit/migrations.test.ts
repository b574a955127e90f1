// Which migrations an update applies: those after the recorded version up to its own, in release
// order, a file moved twice followed to its last path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MIGRATIONS, movesBetween } from '../../generators/engines/migrations.js';

const RELEASES = [
  { version: '0.7.0', moves: [{ from: 'b.go', to: 'c.go' }] },
  {
    version: '0.6.0',
    moves: [
      { from: 'a.go', to: 'b.go' },
      { from: 'x.yaml', to: 'y.yaml' },
    ],
  },
  { version: '0.8.0', moves: [{ from: 'q.md', to: 'r.md' }] },
];

test('moves after the recorded version, up to the target, chained', () => {
  assert.equal(movesBetween(RELEASES, '0.5.0', '0.7.0'), [
    { from: 'a.go', to: 'c.go', version: '0.6.0' },
    { from: 'x.yaml', to: 'y.yaml', version: '0.6.0' },
  ]);
  assert.equal(
    movesBetween(RELEASES, '0.6.0', '0.8.0').map((m) => `${m.from}>${m.to}`),
    ['b.go>c.go', 'q.md>r.md'],
  );
  assert.equal(movesBetween(RELEASES, '0.8.0', '0.8.0'), []);
});

test('the shipped migrations are in release order and move each path once per release', () => {
  for (const m of MIGRATIONS) assert.equal(new Set(m.moves.map((x) => x.from)).size, m.moves.length, m.version);
});

test.run();
