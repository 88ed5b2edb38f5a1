/**
 * The one place where error codes become sentences. Every code of shared/errors.ts has one here
 * (the Record type makes a missing one a type error), and so does every way a file transfer can
 * end without the file (the wire reasons of shared/transfer/control.ts). Sentences are whole:
 * parameters are slotted in by name (`{name}`), never concatenated from fragments, so a
 * translation can reorder them. A translation replaces these tables, nothing else.
 */
import { isAppErrorCode, type AppErrorCode, type ErrorParams } from '../../../shared/errors';
import type { CancelReason, DeclineReason } from '../../../shared/transfer/index';

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
  SERVER_UNREACHABLE: "Offline: can't reach the server. Open conversations keep working.",
  FILE_TOO_LARGE: '{name} is too large to send.',
  FILE_SEND_FAILED: 'Could not send the file. Try again.',
  CAMERA_UNAVAILABLE: 'No camera is available here. Scan from a photo instead, or compare the numbers by eye.',
  CAMERA_DENIED: 'The camera is blocked for this page. Allow it in the browser’s site settings, scan from a photo, or compare the numbers by eye.',
  QR_DECODER_UNAVAILABLE: 'This browser cannot read QR codes. Compare the numbers by eye instead.',
  QR_NOT_FOUND: 'No QR code was found in that picture. Try a sharper, closer photo, or compare the numbers by eye.',
  QR_NOT_SAFETY_NUMBER: 'That QR code is not a Peerchat safety number. Scan the code in the other person’s Verify screen.',
  IDENTITY_STORAGE: 'This browser would not store your identity key, so no private conversation can be set up. Check that site data is allowed, then try again.',
  IDENTITY_SETUP_FAILED: 'This browser could not set up its encryption keys. Reload the page and try again.',
  IDENTITY_NOT_LOADED: 'This browser could not load your encryption keys. Reload the page.',
  HISTORY_UNAVAILABLE: 'This browser would not open its local storage, so history cannot be kept. Check that site data is allowed.',
  STORAGE_FULL: 'This device is out of storage space for Peerchat. Free some space and try again.',
  MESSAGE_SAVE_FAILED: 'Could not save the message on this device.',
  MESSAGE_NOT_SAVED: 'A message could not be saved on this device (storage full?). It will be sent again.',
  MESSAGE_TOO_LONG: 'Messages can be at most {max} characters.',
  MESSAGE_SEND_FAILED: 'Could not send the message. Try again.',
  PEER_KEY_CHANGED: '{name}’s security key has changed.',
  PEER_NO_KEY: '{name}’s app has no security key, so no secure session can be set up.',
  KEY_LOOKUP_FAILED: 'Could not get {name}’s security key from the server.',
  SECURE_SESSION_FAILED: 'Could not set up a secure session with {name}.',
  SHARE_UNAVAILABLE:
    'Something was shared to Peerchat, but Peerchat was not set up on this device yet. Open Peerchat once (over HTTPS), then share again.',
  SHARE_NOT_STORED: 'Something was shared to Peerchat, but it could not be kept on this device (is its storage full?). Please share it again.',
  SHARE_MISSING: 'The shared content was not found (was it already used in another window?). Please share it again.',
  TOO_MANY_SESSIONS: 'This account is open in too many tabs and devices. Close some of them, then try again.',
  DEVICE_LIST_REFUSED: 'The server refused the new list of your devices. Reload and try again.',
  DEVICE_NOT_APPROVED: 'This device is not approved for your account yet. Approve it from one of your other devices.',
  TOO_MANY_DEVICES: 'Your account already has as many devices as it can have. Unlink one you no longer use first.',
  SHARE_TOO_LARGE: 'Something was shared to Peerchat that was too large to keep (at most {max} in all, and 20 files). It was not kept; anything shared before still waits.',
  PEER_OFFERS_CAPPED: '{name} sent more files than Peerchat keeps waiting at once; the rest were declined.',
  PEER_IMAGES_HELD: 'Not opened automatically: {name} sent many images in the last hour.',
  DEVICE_UNLINKED: 'This device was unlinked from your account on another of your devices, so it was logged out here.',
  LINK_CHECK_FAILED: 'The check failed: the new device did not answer with what it promised, so it was not added. Someone may be trying to add their own device. Start again from the new device.',
  LINK_REJECTED: 'This device was not approved.',
  LINK_EXPIRED: 'The request to add this device timed out. Try again, and approve it within five minutes.',
  LINK_BUSY: 'Your other device has too many requests waiting. Answer or close them there, then try again.',
  LINK_FULL: 'Your account already has as many devices as it may have. Unlink one on the Devices screen, then try again.',
  LINK_BAD_GRANT: 'The approval that arrived could not be checked, so this device was not added. Start again.',
  REQUEST_ACTION_FAILED: 'That did not work: this device could not update the message request. Try again.',
  LINK_CODES_DIFFER: 'The codes differ, so this device was not linked. Someone may be trying to get in between; try again, and approve only when both screens show the same code.',
  ACCOUNT_KEY_MISMATCH:
    'The server shows a different key for your account. This device kept its key and did not change anything. If you did not reset your account key on another device, someone may be trying to take over your account.',
  BACKUP_NOT_A_BACKUP: 'This file is not a Peerchat backup. Choose the file Peerchat saved when you made the backup.',
  BACKUP_UNSUPPORTED_VERSION: 'This backup was made by a newer version of Peerchat. Update Peerchat (reload the page), then restore it again.',
  BACKUP_WRONG_PASSPHRASE: 'That passphrase does not open this backup. Check it and try again.',
  BACKUP_DAMAGED: 'This backup is incomplete or damaged, so nothing was restored from it. Try another copy of the file.',
  BACKUP_PASSPHRASE_TOO_SHORT: 'Use a passphrase of at least 10 characters: anyone who gets the file can try to guess it.',
  BACKUP_UNAVAILABLE: 'This browser cannot make or open backups here. Open Peerchat over HTTPS (or on localhost) and try again.',
};

/** What to know and do about some failures, shown under the sentence (security banners). */
const EXPLANATIONS: Partial<Record<AppErrorCode, string>> = {
  PEER_KEY_CHANGED:
    'This happens when {name} starts using a new browser or device — or when someone is trying to get in between you. Your messages to {name} wait until you accept the new key. To be sure, compare safety numbers with {name} first.',
  PEER_NO_KEY: 'Nothing was sent. Ask {name} to reload Peerchat to get the current version, then try again.',
  KEY_LOOKUP_FAILED: 'Nothing was sent. Peerchat tries again when the server can be reached.',
  SECURE_SESSION_FAILED:
    'The connection could not be verified as really coming from {name}’s device, so nothing was sent or shown. It may be a network problem — or someone interfering with the connection.',
};

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** A sentence a person can act on, for any code (unknown codes get UNEXPECTED's sentence). */
export function describeError(code: string, params: ErrorParams = {}): string {
  return fill(SENTENCES[isAppErrorCode(code) ? code : 'UNEXPECTED'], params);
}

/** The longer explanation of a code, if it has one (else null). */
export function explainError(code: AppErrorCode, params: ErrorParams = {}): string | null {
  const template = EXPLANATIONS[code];
  return template ? fill(template, params) : null;
}

/**
 * How a file transfer ended without the file, keyed by the wire reason (file-cancel's
 * CancelReason, file-decline's DeclineReason); a person's own cancel or decline says who did it.
 */
export type TransferEnd =
  | { state: 'cancelled'; /** The contact's name, or null when it was this person. */ by: string | null }
  | { state: 'declined'; reason: DeclineReason | undefined; by: string | null }
  | { state: 'failed'; reason: Exclude<CancelReason, 'cancelled'> | undefined };

const CANCELLED = { byMe: 'Cancelled by you', byPeer: 'Cancelled by {name}' };
const DECLINED: Record<DeclineReason, { byMe: string; byPeer: string }> = {
  declined: { byMe: 'Declined', byPeer: 'Declined by {name}' },
  'too-large': { byMe: 'Declined: the file is too large for this device.', byPeer: 'Declined: the file is too large for {name}’s device.' },
  storage: { byMe: 'Declined: not enough storage space on this device.', byPeer: 'Declined: not enough storage space on {name}’s device.' },
  busy: {
    byMe: 'Declined automatically: too many files from this person were already waiting.',
    byPeer: 'Declined automatically: {name} already has many of your files waiting. Send it again once {name} has answered those.',
  },
};
const FAILED: Record<Exclude<CancelReason, 'cancelled'>, string> = {
  corrupt: 'Failed: the file did not arrive intact, so it was deleted.',
  storage: 'Failed: not enough storage space on the receiving device.',
  'source-lost': 'Failed: the sender no longer has the file.',
  error: 'Failed: the transfer broke off.',
};

/** The sentences of {@link TransferEnd}, for the tests that every one exists and differs. */
export function allTransferEndSentences(): string[] {
  return [CANCELLED.byMe, CANCELLED.byPeer, ...Object.values(DECLINED).flatMap((d) => [d.byMe, d.byPeer]), ...Object.values(FAILED)];
}

/** The sentence a file card shows for a transfer that ended without the file. */
export function describeTransferEnd(end: TransferEnd): string {
  switch (end.state) {
    case 'cancelled':
      return end.by === null ? CANCELLED.byMe : fill(CANCELLED.byPeer, { name: end.by });
    case 'declined': {
      const d = DECLINED[end.reason ?? 'declined'];
      return end.by === null ? d.byMe : fill(d.byPeer, { name: end.by });
    }
    case 'failed':
      return FAILED[end.reason ?? 'error'];
  }
}
