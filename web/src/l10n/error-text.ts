/**
 * The one place where error codes become sentences. Every code of shared/errors.ts has one here
 * (the Record type makes a missing one a type error). Sentences are whole: parameters are slotted
 * in by name, never concatenated from fragments, so a translation can reorder them.
 */
import { isAppErrorCode, type AppErrorCode, type ErrorParams } from '../../../shared/errors';

const SENTENCES: Record<AppErrorCode, string> = {
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
  UNEXPECTED: 'Something went wrong. Try again.',
  SERVER_UNREACHABLE: 'Cannot reach the server. Retrying…',
  FILE_TOO_LARGE: '{name} is too large to send.',
  FILE_SEND_FAILED: 'Could not send the file. Try again.',
  CAMERA_UNAVAILABLE: 'No camera is available here. Scan from a photo instead, or compare the numbers by eye.',
  CAMERA_DENIED: 'The camera is blocked for this page. Allow it in the browser’s site settings, scan from a photo, or compare the numbers by eye.',
  QR_DECODER_UNAVAILABLE: 'This browser cannot read QR codes. Compare the numbers by eye instead.',
  QR_NOT_FOUND: 'No QR code was found in that picture. Try a sharper, closer photo, or compare the numbers by eye.',
  QR_NOT_SAFETY_NUMBER: 'That QR code is not a Peerchat safety number. Scan the code in the other person’s Verify screen.',
};

/** A sentence a person can act on, for any code (unknown codes get UNEXPECTED's sentence). */
export function describeError(code: string, params: ErrorParams = {}): string {
  const template = SENTENCES[isAppErrorCode(code) ? code : 'UNEXPECTED'];
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}
