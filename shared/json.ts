const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether a key in `raw` could be one of {@link FORBIDDEN_KEYS}. Without a `\u` escape every
 * letter of a key stands literally in the text (the other JSON escapes only make punctuation and
 * control characters), so a text that contains none of the forbidden words and no `\u` cannot
 * have such a key. False positives (a value that mentions "constructor") only take the slow path.
 */
function mayHaveForbiddenKey(raw: string): boolean {
  return raw.includes('\\u') || raw.includes('__proto__') || raw.includes('constructor') || raw.includes('prototype');
}

/**
 * JSON.parse that returns undefined instead of throwing, and refuses prototype-pollution
 * style keys anywhere in the document. Only the parsers in this folder should call it.
 *
 * Most frames (signals, SDP) mention none of those keys: they are parsed by plain JSON.parse,
 * which is several times faster than with a reviver; the rest go through the reviver check.
 */
export function safeJsonParse(raw: string): unknown {
  if (!mayHaveForbiddenKey(raw)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }
  let bad = false;
  let value: unknown;
  try {
    value = JSON.parse(raw, (key, v: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) bad = true;
      return v;
    });
  } catch {
    return undefined;
  }
  return bad ? undefined : value;
}

/** Length of a string in UTF-8 bytes, without allocating a buffer. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
