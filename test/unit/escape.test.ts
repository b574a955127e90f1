// User text enters Go, YAML, JSON and shell only through these escapers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { goDocTail, goString, jsonString, shellQuote, yamlString } from '../../generators/render/escape.js';

const SAMPLES = [
  'plain',
  `"quotes" and 'single'`,
  'back\\slash',
  '`tick`',
  '{{ x }} ${{ y }}',
  'a: b # c',
  '& < > %',
  'ünï 😀',
  '\u2028\u2029',
  'tab\tnew\nline\r',
  '\u0000\u001f\u007f',
  '\ufeffbom',
];

test('yamlString round-trips through a YAML parser', () => {
  for (const s of SAMPLES) assert.is(parseYaml(`k: ${yamlString(s)}`).k, s, JSON.stringify(s));
});

test('jsonString round-trips through JSON.parse', () => {
  for (const s of SAMPLES) assert.is(JSON.parse(jsonString(s)), s);
});

test('goString writes a Go interpreted string literal', () => {
  assert.is(goString('a"b\\c'), '"a\\"b\\\\c"');
  assert.is(goString('x\ny\tz'), '"x\\ny\\tz"');
  assert.is(goString('\u0001'), '"\\x01"');
  assert.is(goString('{{ x }} ${{ y }} `t`'), '"{{ x }} ${{ y }} `t`"');
  assert.is(goString('\ufeff'), '"\\ufeff"');
});

test('goDocTail stays on one line and drops what Go refuses inside a comment', () => {
  for (const s of SAMPLES) assert.not.match(goDocTail(s), /[\r\n\u0000\ufeff]/, JSON.stringify(s));
  assert.is(goDocTail(''), '');
  assert.is(goDocTail('a\r\nb'), ': a b');
  assert.is(goDocTail('\ufeffbom'), ': bom');
});

test('goDocTail writes quote pairs as gofmt would, and leaves out what it cannot predict', () => {
  assert.is(goDocTail("``quoted'' and ''' x"), ": \u201cquoted\u201d and \u201d' x");
  assert.is(goDocTail('a ``` b'), '');
  assert.is(goDocTail("a ``` b''"), '');
  assert.is(goDocTail('see https://example.com/a(b) for more'), ': see https://example.com/a(b) for more');
  assert.is(goDocTail("see https://example.com/it''s"), '');
});

test('shellQuote survives single quotes', () => {
  assert.is(shellQuote("it's"), `'it'\\''s'`);
});

test.run();
