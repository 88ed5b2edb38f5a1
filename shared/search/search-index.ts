/**
 * Tokens of the on-device search index, and how a query is looked up in it.
 *
 * Index tokens of a message (`indexTokens`):
 *   - every word, folded (./fold.ts: case- and accent-insensitive), cut at MAX_WORD_CHARS;
 *   - in Chinese and Japanese text (no spaces between words): every character, and every pair
 *     of neighbouring characters (overlapping bigrams), so "你好世界" has 你 好 世 界 你好 好世 世界.
 *
 * How the web side should store it: each message record gets a `tokens: string[]` field (this
 * function's result) and the messages store an index on it with `{ multiEntry: true }`, so
 * IndexedDB keeps one sorted entry per (token, message). Partial words need no extra tokens:
 * a word term is looked up as a key RANGE, every token that starts with it
 * (`IDBKeyRange.bound(t, t + '\uffff')`), which the sorted index answers directly. A CJK term is
 * looked up exactly (`IDBKeyRange.only(t)`). Messages are the intersection over all lookups
 * (start with the one with the fewest keys: `index.count(range)`), and each candidate is then
 * checked and ranked by ./search-match.ts `matchText`, which also gives the spans to highlight.
 * A recalled message is rewritten with its tokens emptied, so it is gone from the index too.
 *
 * Cost (Node 20 on this project's CI machine, 100,000 short mixed English/Chinese messages):
 * indexTokens about 4 µs a message; matchText about 3.5 µs a candidate. So the index does the
 * narrowing, and the web side should match candidates newest first and stop after a page of
 * results (e.g. 50) rather than match a very common prefix against the whole history.
 */
import { fold, runsOf } from './fold';

/** A word longer than this is indexed (and looked up) by its first MAX_WORD_CHARS characters. */
export const MAX_WORD_CHARS = 32;
/** At most this many distinct tokens per message (the rest of a very long message is not indexed). */
export const MAX_TOKENS_PER_MESSAGE = 1024;
/** Query terms beyond this many are ignored. */
export const MAX_QUERY_TERMS = 16;

/** Splits a string into code points (CJK outside the BMP are one character, not two halves). */
function chars(s: string): string[] {
  return Array.from(s);
}

/** The distinct index tokens of a message's text (see the file comment). */
export function indexTokens(text: string): string[] {
  const out = new Set<string>();
  for (const run of runsOf(fold(text))) {
    if (out.size >= MAX_TOKENS_PER_MESSAGE) break;
    if (run.kind === 'word') {
      out.add(chars(run.text).slice(0, MAX_WORD_CHARS).join(''));
      continue;
    }
    const cs = chars(run.text);
    for (let i = 0; i < cs.length && out.size < MAX_TOKENS_PER_MESSAGE; i++) {
      const c = cs[i] as string;
      out.add(c);
      const next = cs[i + 1];
      if (next !== undefined) out.add(c + next);
    }
  }
  return [...out].slice(0, MAX_TOKENS_PER_MESSAGE);
}

/** One term of a query, as matched against text. */
export interface QueryTerm {
  /** `word`: matches at the start of a word (a prefix); `cjk`: matches anywhere as a substring. */
  kind: 'word' | 'cjk';
  /** Folded text of the term. */
  text: string;
}

/** One lookup in the token index. */
export interface IndexLookup {
  token: string;
  /** True: every token starting with `token` (a key range); false: exactly `token`. */
  prefix: boolean;
}

export interface SearchQuery {
  terms: QueryTerm[];
  /** The index lookups whose results are intersected (deduplicated). */
  lookups: IndexLookup[];
}

/** Parses what the person typed. No terms (only spaces or punctuation): nothing to search for. */
export function parseQuery(q: string): SearchQuery {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  for (const run of runsOf(fold(q.slice(0, 1000)))) {
    const text = run.kind === 'word' ? chars(run.text).slice(0, MAX_WORD_CHARS).join('') : run.text;
    const key = run.kind + ':' + text;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ kind: run.kind, text });
    if (terms.length >= MAX_QUERY_TERMS) break;
  }
  const lookups: IndexLookup[] = [];
  const seenLookup = new Set<string>();
  const add = (token: string, prefix: boolean): void => {
    const key = (prefix ? 'p:' : 'x:') + token;
    if (seenLookup.has(key)) return;
    seenLookup.add(key);
    lookups.push({ token, prefix });
  };
  for (const t of terms) {
    if (t.kind === 'word') {
      add(t.text, true);
      continue;
    }
    const cs = chars(t.text);
    if (cs.length === 1) add(cs[0] as string, false);
    for (let i = 0; i + 1 < cs.length; i++) add((cs[i] as string) + (cs[i + 1] as string), false);
  }
  return { terms, lookups };
}

/**
 * A lookup as a key range in the shape IndexedDB wants (`IDBKeyRange.bound(lower, upper)`),
 * kept free of the DOM so it can be tested here. For an exact lookup lower === upper.
 */
export function lookupRange(l: IndexLookup): { lower: string; upper: string } {
  return l.prefix ? { lower: l.token, upper: l.token + '\uffff' } : { lower: l.token, upper: l.token };
}

/** Does a token set contain what `l` looks up? (The in-memory twin of the index lookup.) */
export function tokenMatches(token: string, l: IndexLookup): boolean {
  return l.prefix ? token.startsWith(l.token) : token === l.token;
}
