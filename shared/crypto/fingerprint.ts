/**
 * DTLS certificate fingerprints as announced in SDP (RFC 8122 `a=fingerprint:` lines). The
 * handshake transcript binds these so that a signalling server which swaps them (to sit in the
 * middle of DTLS) is caught: each side hashes the fingerprints of the SDP it actually applied.
 */

/** Digest length in bytes of every hash function allowed by the IANA registry for RFC 8122. */
const HASH_BYTES: ReadonlyMap<string, number> = new Map([
  ['sha-1', 20],
  ['sha-224', 28],
  ['sha-256', 32],
  ['sha-384', 48],
  ['sha-512', 64],
  ['md5', 16],
  ['md2', 16],
]);

const LINE_RE = /^a=fingerprint:(\S+)[ \t]+(\S+)[ \t]*$/i;
const HEX_GROUPS_RE = /^[0-9A-F]{2}(?::[0-9A-F]{2})*$/;

/**
 * Canonical form of all DTLS fingerprints in an SDP (session- or media-level), or null if it
 * has none.
 *
 * Each one is written "<hash-func lowercase> <HEX:UPPER>", duplicates removed (bundled media
 * sections repeat the same one), sorted, and joined with ",". Both ends therefore get the same
 * string for the same SDP regardless of line order or letter case.
 *
 * Fail-closed: if any fingerprint line is malformed, uses an unknown hash function or has the
 * wrong digest length, the result is null. We cannot bind what we cannot parse, and a line we
 * skipped might be the one the browser uses to verify DTLS.
 */
export function parseSdpFingerprints(sdp: string): string | null {
  const found = new Set<string>();
  for (const rawLine of sdp.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.slice(0, 14).toLowerCase() !== 'a=fingerprint:') continue;
    const m = LINE_RE.exec(line);
    if (!m) return null;
    const alg = (m[1] ?? '').toLowerCase();
    const hex = (m[2] ?? '').toUpperCase();
    const bytes = HASH_BYTES.get(alg);
    if (bytes === undefined || !HEX_GROUPS_RE.test(hex) || hex.length !== bytes * 3 - 1) return null;
    found.add(`${alg} ${hex}`);
  }
  if (found.size === 0) return null;
  return [...found].sort().join(',');
}
