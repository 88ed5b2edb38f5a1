import { LIMITS } from './limits';

/**
 * Whether a parsed JSON document has a prototype-pollution style key (`__proto__`,
 * `constructor`, `prototype`) on any object, at any depth. Walks with its own stack, so a deeply
 * nested document cannot overflow the call stack.
 */
function hasForbiddenKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return true;
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) stack.push(item);
    }
  }
  return false;
}

/**
 * JSON.parse that returns undefined instead of throwing, and refuses prototype-pollution
 * style keys anywhere in the document. Only the parsers in this folder should call it.
 *
 * The keys are checked by walking the parsed value rather than with a reviver: JSON.parse with a
 * reviver is several times slower, and this runs for every frame the server relays. Escaped
 * keys (`"\u005f_proto__"`) are caught too, since the walk sees them decoded.
 */
export function safeJsonParse(raw: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
  return hasForbiddenKey(value) ? undefined : value;
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

/**
 * The value of one peer frame for a parser: a string (the frame's text) is capped at
 * LIMITS.maxPeerFrameBytes and parsed with {@link safeJsonParse}; anything else is taken as an
 * already parsed value. undefined: over the cap or not JSON, and the parser returns null.
 */
export function peerFrameValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.length > LIMITS.maxPeerFrameBytes) return undefined;
  return safeJsonParse(raw);
}
