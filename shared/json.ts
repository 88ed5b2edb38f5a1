const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse that returns undefined instead of throwing, and refuses prototype-pollution
 * style keys anywhere in the document. Only the parsers in this folder should call it.
 */
export function safeJsonParse(raw: string): unknown {
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
