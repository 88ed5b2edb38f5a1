/**
 * Stable error codes carried on the wire. The UI maps each to a human sentence
 * with {@link describeError}; tests assert on the code, never on the sentence.
 */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'UNSUPPORTED_VERSION',
  'USER_EXISTS',
  'UNKNOWN_USER',
  'BAD_PASSWORD',
  'INVALID_USERNAME',
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'BAD_TOKEN',
  'NOT_LOGGED_IN',
  'ALREADY_LOGGED_IN',
  'PEER_OFFLINE',
  'RATE_LIMITED',
  'LOGIN_TIMEOUT',
  'SERVER_BUSY',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const SENTENCES: Record<ErrorCode, string> = {
  BAD_MESSAGE: 'The app sent something the server did not understand. Reload the page and try again.',
  UNSUPPORTED_VERSION: 'This page is out of date. Reload to get the current version.',
  USER_EXISTS: 'That username is already taken. Pick another one.',
  UNKNOWN_USER: 'There is no account with that username. Check the spelling or register.',
  BAD_PASSWORD: 'Wrong password. Try again.',
  INVALID_USERNAME: 'Usernames are 3 to 32 characters: letters, digits, and _ . -',
  PASSWORD_TOO_SHORT: 'Passwords need at least 8 characters.',
  PASSWORD_TOO_LONG: 'Passwords can be at most 256 characters.',
  BAD_TOKEN: 'Your session has expired. Please log in again.',
  NOT_LOGGED_IN: 'You are not logged in. Please log in again.',
  ALREADY_LOGGED_IN: 'You are already logged in on this connection.',
  PEER_OFFLINE: 'That person is offline right now.',
  RATE_LIMITED: 'Too many requests. Slow down for a moment.',
  LOGIN_TIMEOUT: 'The connection timed out before logging in.',
  SERVER_BUSY: 'The server is busy. Try again in a moment.',
  INTERNAL: 'Something went wrong on the server. Try again.',
};

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}

/** A sentence a person can act on, for any error code (unknown codes get a generic one). */
export function describeError(code: string): string {
  return isErrorCode(code) ? SENTENCES[code] : 'Something went wrong. Try again.';
}
