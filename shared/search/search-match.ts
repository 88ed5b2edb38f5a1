/**
 * Checking, ranking and showing one search hit. The index (./search-index.ts) finds candidate
 * messages; `matchText` confirms each (every term must occur), scores it and returns the spans
 * to highlight in the ORIGINAL text; `snippet` cuts a window of context around the first span
 * for the results list; `rankHits` orders results.
 */
import { foldWithMap, isWordChar } from './fold';
import type { SearchQuery } from './search-index';

/** A highlighted range in the original text: [start, end) in UTF-16 offsets. */
export type Span = readonly [number, number];

export interface TextMatch {
  /** Higher is better: whole words over prefixes, more occurrences a little. */
  score: number;
  /** Merged, sorted, non-overlapping. */
  spans: Span[];
}

function charBefore(s: string, i: number): string {
  if (i <= 0) return '';
  const c = s.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? s.slice(i - 2, i) : s.slice(i - 1, i);
}

function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Matches `query` against a message's text. Null when some term does not occur (or no terms). */
export function matchText(text: string, query: SearchQuery): TextMatch | null {
  if (query.terms.length === 0) return null;
  const f = foldWithMap(text);
  const hay = f.text;
  const raw: [number, number][] = [];
  let score = 0;
  for (const term of query.terms) {
    let found = 0;
    let best = 0;
    for (let at = hay.indexOf(term.text); at !== -1; at = hay.indexOf(term.text, at + 1)) {
      const endAt = at + term.text.length;
      let points = 2;
      if (term.kind === 'word') {
        // A word term matches at the start of a word only ("hel" finds "hello", not "shell").
        if (isWordChar(charBefore(hay, at))) continue;
        points = isWordChar(charAt(hay, endAt)) ? 1 : 3;
      }
      found++;
      best = Math.max(best, points);
      // Extend over what folded to nothing right after the match (a decomposed accent).
      let origEnd = f.end[endAt - 1] as number;
      const nextStart = endAt < hay.length ? (f.start[endAt] as number) : text.length;
      if (nextStart > origEnd) origEnd = nextStart;
      raw.push([f.start[at] as number, origEnd]);
      if (found >= 50) break;
    }
    if (found === 0) return null;
    score += best + Math.min(found - 1, 3) * 0.1;
  }
  raw.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const spans: [number, number][] = [];
  for (const s of raw) {
    const last = spans[spans.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else spans.push([s[0], s[1]]);
  }
  return { score, spans };
}

export interface Snippet {
  /** The window of the text shown. */
  text: string;
  /** The spans inside `text` (offsets relative to it). */
  spans: Span[];
  /** Text was cut before / after the window (show an ellipsis). */
  cutStart: boolean;
  cutEnd: boolean;
}

/** Moves an offset off the second half of a surrogate pair. */
function safeCut(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return i > 0 && i < s.length && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}

/**
 * A window of about `context` characters on each side of the first span (whitespace
 * collapsed is left to the view: offsets refer to `text` as given), for a results list.
 */
export function snippet(text: string, spans: readonly Span[], context = 40): Snippet {
  const first = spans[0] ?? [0, 0];
  let from = safeCut(text, Math.max(0, first[0] - context));
  let to = safeCut(text, Math.min(text.length, first[1] + context));
  // Prefer to start and end at a space when one is near (words stay whole).
  if (from > 0) {
    const sp = text.indexOf(' ', from);
    if (sp !== -1 && sp < first[0] && sp - from < 12) from = sp + 1;
  }
  if (to < text.length) {
    const sp = text.lastIndexOf(' ', to);
    if (sp > first[1] && to - sp < 12) to = sp;
  }
  const inside: Span[] = [];
  for (const [s, e] of spans) {
    if (e <= from || s >= to) continue;
    inside.push([Math.max(s, from) - from, Math.min(e, to) - from]);
  }
  return { text: text.slice(from, to), spans: inside, cutStart: from > 0, cutEnd: to < text.length };
}

/** Orders hits: best score first, then newest first, then by id (a stable order). */
export function rankHits<T extends { ts: number; id: string }>(hits: readonly { item: T; match: TextMatch }[]): { item: T; match: TextMatch }[] {
  return [...hits].sort((a, b) => b.match.score - a.match.score || b.item.ts - a.item.ts || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
}
