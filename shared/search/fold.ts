/**
 * Text folding for search: lower case, compatibility forms unified (full-width Ａ → a,
 * half-width ｶ → カ), and accents removed from Latin letters (é → e, ß → ss), keeping, for every
 * folded character, where it came from in the original text so matches can be highlighted
 * there. Marks on other scripts are kept (Devanagari vowel signs, Japanese dakuten are
 * letters' parts, not accents).
 */

/** Text after folding, with each folded UTF-16 unit's source range in the original. */
export interface FoldedText {
  text: string;
  /** start[i]: offset in the original of the code point folded unit i came from. */
  start: Uint32Array;
  /** end[i]: offset just past that code point. */
  end: Uint32Array;
}

const LATIN_RE = /\p{Script=Latin}/u;
const MARK_RE = /\p{M}/gu;
const IS_MARK_RE = /^\p{Mn}$/u;
/** Latin letters that do not decompose but people type without their stroke or ligature. */
const LATIN_SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ł: 'l',
  Ł: 'l',
  ı: 'i',
  þ: 'th',
  Þ: 'th',
};

/** Han ideographs, kana (and the prolonged sound mark): scripts written without spaces. */
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]/u;
/** Characters that make up words (letters, digits, marks). */
const WORD_RE = /[\p{L}\p{N}\p{M}]/u;

/** Folds one code point (`prevLatin`: the last base character was Latin). */
function foldCodePoint(c: string, prevLatin: boolean): { out: string; latin: boolean } {
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    const latin = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
    return { out: code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : c, latin };
  }
  const special = LATIN_SPECIAL[c];
  if (special !== undefined) return { out: special, latin: true };
  if (IS_MARK_RE.test(c)) return { out: prevLatin ? '' : c, latin: prevLatin };
  const compat = c.normalize('NFKD');
  if (LATIN_RE.test(compat)) return { out: compat.replace(MARK_RE, '').toLowerCase(), latin: true };
  return { out: c.normalize('NFKC').toLowerCase(), latin: false };
}

/** Code points folded to themselves without a lookup: CJK ideographs and full-width kana. */
function isPlainCjk(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3041 && code <= 0x3096) || (code >= 0x30a1 && code <= 0x30fa);
}

/** Folds `text` (see the file comment), keeping the map back to the original offsets. */
export function foldWithMap(text: string): FoldedText {
  const n = text.length;
  if (isSimple(text)) {
    // ASCII and CJK only: lower-casing keeps every offset, so the map is the identity.
    const start = new Uint32Array(n);
    const end = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      start[i] = i;
      end[i] = i + 1;
    }
    return { text: text.toLowerCase(), start, end };
  }
  let start: Uint32Array = new Uint32Array(n + 8);
  let end: Uint32Array = new Uint32Array(n + 8);
  let out = '';
  let len = 0;
  let prevLatin = false;
  const push = (s: string, from: number, to: number): void => {
    if (len + s.length > start.length) {
      const grow = (a: Uint32Array): Uint32Array => {
        const b = new Uint32Array(Math.max(a.length * 2, len + s.length));
        b.set(a);
        return b;
      };
      start = grow(start);
      end = grow(end);
    }
    for (let k = 0; k < s.length; k++) {
      start[len] = from;
      end[len] = to;
      len++;
    }
    out += s;
  };
  for (let i = 0; i < n; ) {
    const code = text.charCodeAt(i);
    // Fast paths for the common cases: ASCII and CJK need no normalisation.
    if (code < 0x80) {
      const upper = code >= 0x41 && code <= 0x5a;
      prevLatin = upper || (code >= 0x61 && code <= 0x7a);
      push(upper ? String.fromCharCode(code + 32) : text[i] as string, i, i + 1);
      i++;
      continue;
    }
    if (isPlainCjk(code)) {
      prevLatin = false;
      push(text[i] as string, i, i + 1);
      i++;
      continue;
    }
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < n ? 2 : 1;
    const r = foldCodePoint(text.slice(i, i + width), prevLatin);
    prevLatin = r.latin;
    push(r.out, i, i + width);
    i += width;
  }
  return { text: out, start: start.subarray(0, len), end: end.subarray(0, len) };
}

/** Only ASCII and plain CJK characters (the common case, folded by lower-casing alone). */
function isSimple(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 && !isPlainCjk(c)) return false;
  }
  return true;
}

/** Folds `text` without the map (index tokens, queries). */
export function fold(text: string): string {
  return isSimple(text) ? text.toLowerCase() : foldWithMap(text).text;
}

/** True for a character of a script written without spaces (Chinese, Japanese). */
export function isCjkChar(ch: string): boolean {
  return CJK_RE.test(ch);
}

/** True for a character that is part of a word (a letter, digit or mark, not CJK). */
export function isWordChar(ch: string): boolean {
  return WORD_RE.test(ch) && !CJK_RE.test(ch);
}

/** A run of one kind in folded text. */
export interface TextRun {
  kind: 'word' | 'cjk';
  /** Offset in the folded text. */
  at: number;
  text: string;
}

/**
 * Splits folded text into word runs and CJK runs (everything else separates them). Works on
 * code points, so a CJK character outside the BMP stays one character.
 */
export function runsOf(folded: string): TextRun[] {
  const runs: TextRun[] = [];
  let cur: TextRun | null = null;
  let curEnd = 0;
  for (let i = 0; i < folded.length; ) {
    const code = folded.charCodeAt(i);
    let width = 1;
    let kind: TextRun['kind'] | null;
    if (code < 0x80) {
      kind = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) ? 'word' : null;
    } else if (isPlainCjk(code)) {
      kind = 'cjk';
    } else {
      width = code >= 0xd800 && code <= 0xdbff && i + 1 < folded.length ? 2 : 1;
      const ch = folded.slice(i, i + width);
      kind = CJK_RE.test(ch) ? 'cjk' : WORD_RE.test(ch) ? 'word' : null;
    }
    if (kind === null) {
      if (cur) cur.text = folded.slice(cur.at, curEnd);
      cur = null;
    } else if (!cur || cur.kind !== kind) {
      if (cur) cur.text = folded.slice(cur.at, curEnd);
      cur = { kind, at: i, text: '' };
      runs.push(cur);
    }
    i += width;
    curEnd = i;
  }
  if (cur) cur.text = folded.slice(cur.at, curEnd);
  return runs;
}
