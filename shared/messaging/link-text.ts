/**
 * Finds web addresses in message text, so the UI can make them links: a pure tokenizer, text in,
 * parts of text and link out. Nothing here fetches anything, and the UI never fetches a linked
 * page (no previews): a link only opens when the person clicks it.
 *
 * What becomes a link, deliberately narrow:
 *  - only `http://`, `https://` and `www.` addresses (a `www.` one opens as `https://`), so
 *    `javascript:`, `data:`, `file:` and every other scheme stay plain text;
 *  - only ASCII characters belong to an address: Chinese text written straight after it
 *    ("看https://example.com很好") is not swallowed, and look-alike Unicode host names are not
 *    linked (their punycode form is, if someone writes that);
 *  - never an address with a user name or password before the host (`https://bank.com@evil.example`
 *    is a well-known disguise), nor one longer than {@link LINK_LIMITS.maxUrlChars};
 *  - punctuation that ends a sentence is not part of the address ("see https://a.example/x." links
 *    `https://a.example/x`), and a closing parenthesis or bracket only is when the address opened
 *    one (`https://en.wikipedia.org/wiki/Peer_(disambiguation)` keeps its own).
 */

/** A run of plain text, or an address to show as a link. */
export type TextPart = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

export const LINK_LIMITS = {
  /** Longer addresses stay text (browsers accept more, but nobody types them in a chat). */
  maxUrlChars: 2048,
  /** Links per message; later addresses stay text, so a hostile message costs little to draw. */
  maxLinks: 100,
} as const;

/**
 * Where an address may start: `http://`, `https://` or `www.`, case-insensitive, not glued to a
 * word, path or other scheme before it (`xhttp://`, `a.www.b`, `javascript://www.…`), then the
 * ASCII characters an address may hold (RFC 3986's, without quotes, `<`, `>` and spaces). One
 * character class, no nested repetition: linear in the text's length.
 */
const CANDIDATE = /(?<![A-Za-z0-9@./:_+-])(?:https?:\/\/|www\.)[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;

/** Characters that end a sentence rather than an address when they come last. */
const TRAILING = new Set(['.', ',', ':', ';', '!', '?', "'", '*', '_', '~']);

/** A host name (with an optional port): labels of letters, digits and hyphens; or an IPv6 literal. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Drops sentence punctuation and unbalanced closing brackets from the end of a candidate. */
function trimEnd(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    const body = url.slice(0, end);
    if (last !== undefined && TRAILING.has(last)) end--;
    else if (last === ')' && count(body, ')') > count(body, '(')) end--;
    else if (last === ']' && count(body, ']') > count(body, '[')) end--;
    else return body;
  }
}

/** The address a candidate opens, or null when it is not one this tokenizer links. */
export function linkHref(candidate: string): string | null {
  if (candidate.length > LINK_LIMITS.maxUrlChars) return null;
  const www = /^www\./i.test(candidate);
  const full = www ? `https://${candidate}` : candidate;
  const authority = /^https?:\/\/([^/?#]*)/i.exec(full)?.[1] ?? '';
  // The host as written: no user name or password, nothing but host characters.
  if (!HOST.test(authority)) return null;
  // `www.` alone, or `www.example` with nothing after the dot, is a word, not an address.
  if (www && !/^www\.[A-Za-z0-9-]+\.[A-Za-z0-9-]/i.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) return null;
  return url.href;
}

/**
 * Splits `text` into plain runs and links, in order; joining every part's `text` gives `text`
 * back unchanged. Text without an address is one text part (none for the empty string).
 */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;
  let links = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    if (links >= LINK_LIMITS.maxLinks) break;
    const candidate = trimEnd(m[0]);
    const href = linkHref(candidate);
    if (!href) continue;
    const at = m.index;
    if (at > from) parts.push({ type: 'text', text: text.slice(from, at) });
    parts.push({ type: 'link', text: candidate, href });
    from = at + candidate.length;
    links++;
  }
  if (from < text.length) parts.push({ type: 'text', text: text.slice(from) });
  return parts;
}

