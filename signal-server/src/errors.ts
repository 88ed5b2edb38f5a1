/**
 * Errors the server raises at start-up or from its helpers. Each carries a stable `code`
 * (like Node's own errors) and a sentence a person can act on.
 */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
  }
}

/** A bad configuration value or server option; the message says which and why. */
export function badConfig(message: string): CodedError {
  return new CodedError('BAD_CONFIG', message);
}

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
