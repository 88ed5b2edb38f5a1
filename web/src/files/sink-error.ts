/**
 * Storage failures of received files as typed codes. Both back ends and the worker report their
 * failures through this one type, so a caller can tell "disk full" from "this browser cannot do
 * that" without reading DOMException names. Imports nothing: the OPFS worker bundles it too.
 */

export const SINK_ERROR_CODES = [
  /** The origin's storage quota is used up (QuotaExceededError): the disk or the browser's share is full. */
  'quota',
  /** This back end cannot run here (no sync access handle in workers, the worker would not start): try the other. */
  'unsupported',
  /** Storage refuses access (private mode, permissions, the file locked by another tab or handle). */
  'unavailable',
  /** The file is not there (removed meanwhile). */
  'not-found',
  /** Any other read or write failure. */
  'io',
] as const;

export type SinkErrorCode = (typeof SINK_ERROR_CODES)[number];

/** DOMException names (and the worker's own) that have a more specific code than 'io'. */
const CODE_OF_NAME: Readonly<Record<string, SinkErrorCode>> = {
  QuotaExceededError: 'quota',
  NotFoundError: 'not-found',
  SecurityError: 'unavailable',
  NotAllowedError: 'unavailable',
  NoModificationAllowedError: 'unavailable',
};

export class SinkError extends Error {
  /**
   * `detail` is the underlying message or DOMException name, for logs only (never file content);
   * what a caller branches on is `code`.
   */
  constructor(
    readonly code: SinkErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
    this.name = 'SinkError';
  }
}

export function isSinkErrorCode(x: unknown): x is SinkErrorCode {
  return typeof x === 'string' && (SINK_ERROR_CODES as readonly string[]).includes(x);
}

/** The code for an error of this `name` (a DOMException's, usually). */
export function sinkErrorCodeOf(name: string): SinkErrorCode {
  return CODE_OF_NAME[name] ?? 'io';
}

/** Anything caught, as a SinkError (a SinkError as it is). */
export function toSinkError(e: unknown): SinkError {
  if (e instanceof SinkError) return e;
  if (e instanceof Error) return new SinkError(sinkErrorCodeOf(e.name), `${e.name}: ${e.message}`, { cause: e });
  return new SinkError('io', String(e));
}
