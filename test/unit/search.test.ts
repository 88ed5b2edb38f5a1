// Local search (shared/search/): tokens for a multiEntry index, queries as index lookups, and the
// matcher's ranking and highlight spans, in English, accented Latin, Chinese and Japanese. The
// `searchAll` helper below does what the web side does with IndexedDB, in memory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, foldWithMap } from '../../shared/search/fold';
import { MAX_WORD_CHARS, indexTokens, lookupRange, parseQuery, tokenMatches } from '../../shared/search/search-index';
import { matchText, rankHits, snippet } from '../../shared/search/search-match';

interface Msg {
  id: string;
  ts: number;
  text: string;
}

/** The index lookup, in memory: messages whose tokens satisfy every lookup, then matched and ranked. */
function searchAll(messages: readonly Msg[], q: string): Msg[] {
  const query = parseQuery(q);
  if (query.lookups.length === 0) return [];
  const hits = [];
  for (const m of messages) {
    const tokens = indexTokens(m.text);
    if (!query.lookups.every((l) => tokens.some((t) => tokenMatches(t, l)))) continue;
    const match = matchText(m.text, query);
    if (match) hits.push({ item: m, match });
  }
  return rankHits(hits).map((h) => h.item);
}

const MESSAGES: Msg[] = [
  { id: 'a', ts: 1, text: 'Hello world' },
  { id: 'b', ts: 2, text: 'Say hello to the Café in Zürich' },
  { id: 'c', ts: 3, text: '你好世界' },
  { id: 'd', ts: 4, text: '今天天气很好，我们去公园吧' },
  { id: 'e', ts: 5, text: 'a shell script' },
  { id: 'f', ts: 6, text: '東京タワーに行きました' },
  { id: 'g', ts: 7, text: 'Straße und STRASSE' },
  { id: 'h', ts: 8, text: 'helicopter 世界杯' },
];
const ids = (q: string): string[] => searchAll(MESSAGES, q).map((m) => m.id);

describe('search: words and partial words', () => {
  test('"hel" finds hello and helicopter, not shell', () => {
    assert.deepEqual(ids('hel').sort(), ['a', 'b', 'h']);
  });

  test('case and accents do not matter', () => {
    assert.deepEqual(ids('HELLO').sort(), ['a', 'b']);
    assert.deepEqual(ids('cafe'), ['b']);
    assert.deepEqual(ids('zurich'), ['b']);
    assert.deepEqual(ids('CAFÉ'), ['b']);
    assert.deepEqual(ids('strasse'), ['g']);
    assert.deepEqual(ids('Ｈｅｌｌｏ').sort(), ['a', 'b'], 'full-width letters');
  });

  test('every term must occur; a whole word ranks above a prefix', () => {
    assert.deepEqual(ids('hello world'), ['a']);
    assert.deepEqual(ids('hello nothing'), []);
    const ranked = searchAll([{ id: 'prefix', ts: 9, text: 'helpful' }, { id: 'word', ts: 1, text: 'help' }], 'help');
    assert.deepEqual(ranked.map((m) => m.id), ['word', 'prefix']);
  });

  test('nothing to search for: no terms, no results', () => {
    assert.deepEqual(parseQuery('  ,.!  ').lookups, []);
    assert.deepEqual(ids('  '), []);
  });
});

describe('search: Chinese and Japanese without spaces', () => {
  test('"世界" finds 你好世界 (and 世界杯); "你好" finds only 你好世界', () => {
    assert.deepEqual(ids('世界').sort(), ['c', 'h']);
    assert.deepEqual(ids('你好'), ['c']);
    assert.deepEqual(ids('你好世界'), ['c']);
  });

  test('a single character and longer phrases', () => {
    assert.deepEqual(ids('园'), ['d']);
    assert.deepEqual(ids('天气很好'), ['d']);
    assert.deepEqual(ids('好天'), [], 'bigrams from different places do not make a phrase');
    assert.deepEqual(ids('タワー'), ['f']);
    assert.deepEqual(ids('東京'), ['f']);
  });

  test('index tokens: CJK characters and overlapping bigrams; words whole', () => {
    assert.deepEqual(indexTokens('你好世界').sort(), ['世', '世界', '你', '你好', '好', '好世', '界'].sort());
    assert.deepEqual(indexTokens('Hello, hello WORLD!'), ['hello', 'world']);
    assert.deepEqual(indexTokens('hello世界'), ['hello', '世', '世界', '界']);
    assert.equal(indexTokens('x'.repeat(100))[0]?.length, MAX_WORD_CHARS);
  });

  test('lookups are ranges for words and exact keys for CJK', () => {
    const q = parseQuery('hel 世界');
    assert.deepEqual(q.lookups, [
      { token: 'hel', prefix: true },
      { token: '世界', prefix: false },
    ]);
    assert.deepEqual(lookupRange({ token: 'hel', prefix: true }), { lower: 'hel', upper: 'hel\uffff' });
    assert.deepEqual(lookupRange({ token: '世界', prefix: false }), { lower: '世界', upper: '世界' });
  });
});

describe('search: spans and snippets in the original text', () => {
  test('spans point at the original characters, accents and all', () => {
    const text = 'Say hello to the Café in Zürich';
    const m = matchText(text, parseQuery('cafe zur'));
    assert.ok(m);
    assert.deepEqual(
      m.spans.map(([s, e]) => text.slice(s, e)),
      ['Café', 'Zür'],
    );
    const s2 = 'Straße!';
    const m2 = matchText(s2, parseQuery('strasse'));
    assert.deepEqual(m2?.spans.map(([s, e]) => s2.slice(s, e)), ['Straße']);
  });

  test('decomposed accents and astral characters keep offsets right', () => {
    const text = 'cafe\u0301 😀 𠀀世界';
    assert.equal(fold(text), 'cafe 😀 𠀀世界');
    const m = matchText(text, parseQuery('café 世界'));
    assert.deepEqual(m?.spans.map(([s, e]) => text.slice(s, e)), ['cafe\u0301', '世界']);
    const f = foldWithMap(text);
    assert.equal(f.start.length, f.text.length);
  });

  test('a snippet is a window of context around the first match', () => {
    const text = 'word '.repeat(40) + 'needle in the middle ' + 'more '.repeat(40);
    const m = matchText(text, parseQuery('needle'));
    assert.ok(m);
    const s = snippet(text, m.spans, 20);
    assert.ok(s.cutStart && s.cutEnd);
    assert.ok(s.text.length <= 20 * 2 + 'needle'.length);
    const [first] = s.spans;
    assert.ok(first);
    assert.equal(s.text.slice(first[0], first[1]), 'needle');
  });
});
