/**
 * The one place where error codes become sentences. Every code of shared/errors.ts has one here
 * (the Record type makes a missing one a type error), and so does every way a file transfer can
 * end without the file (the wire reasons of shared/transfer/control.ts). Sentences are whole:
 * parameters are slotted in by name (`{name}`), never concatenated from fragments, so a
 * translation can reorder them. Each sentence is a `msg()` with the id `error-<CODE>`, so the
 * translations (web/xliff/) keep the `{name}`-style slots and are looked up in the language the
 * app speaks when the sentence is shown.
 */
import { msg } from '@lit/localize';
import { isAppErrorCode, type AppErrorCode, type ErrorParams } from '../../../shared/errors';
import type { CancelReason, DeclineReason } from '../../../shared/transfer/index';

function sentences(): Record<AppErrorCode, string> {
  return {
    BAD_MESSAGE: msg('The app sent something the server did not understand. Reload the page and try again.', { id: 'error-BAD_MESSAGE' }),
    UNSUPPORTED_VERSION: msg('This page is out of date. Reload to get the current version.', { id: 'error-UNSUPPORTED_VERSION' }),
    USER_EXISTS: msg('That username is already taken. Pick another one.', { id: 'error-USER_EXISTS' }),
    UNKNOWN_USER: msg('There is no account with that username. Check the spelling or register.', { id: 'error-UNKNOWN_USER' }),
    BAD_PASSWORD: msg('Wrong password. Try again.', { id: 'error-BAD_PASSWORD' }),
    INVALID_USERNAME: msg('Usernames are 3 to 32 characters: letters, digits, and _ . -', { id: 'error-INVALID_USERNAME' }),
    PASSWORD_TOO_SHORT: msg('Passwords need at least 8 characters.', { id: 'error-PASSWORD_TOO_SHORT' }),
    PASSWORD_TOO_LONG: msg('Passwords can be at most 256 characters.', { id: 'error-PASSWORD_TOO_LONG' }),
    BAD_TOKEN: msg('Your session has expired. Please log in again.', { id: 'error-BAD_TOKEN' }),
    NOT_LOGGED_IN: msg('You are not logged in. Please log in again.', { id: 'error-NOT_LOGGED_IN' }),
    ALREADY_LOGGED_IN: msg('You are already logged in on this connection.', { id: 'error-ALREADY_LOGGED_IN' }),
    PEER_OFFLINE: msg('That person is offline right now.', { id: 'error-PEER_OFFLINE' }),
    RATE_LIMITED: msg('Too many requests. Slow down for a moment.', { id: 'error-RATE_LIMITED' }),
    LOGIN_TIMEOUT: msg('The connection timed out before logging in.', { id: 'error-LOGIN_TIMEOUT' }),
    SERVER_BUSY: msg('The server is busy. Try again in a moment.', { id: 'error-SERVER_BUSY' }),
    INTERNAL: msg('Something went wrong on the server. Try again.', { id: 'error-INTERNAL' }),
    UNEXPECTED: msg('Something went wrong. Try again.', { id: 'error-UNEXPECTED' }),
    SERVER_UNREACHABLE: msg("Offline: can't reach the server. Open conversations keep working.", { id: 'error-SERVER_UNREACHABLE' }),
    FILE_TOO_LARGE: msg('{name} is too large to send.', { id: 'error-FILE_TOO_LARGE' }),
    FILE_SEND_FAILED: msg('Could not send the file. Try again.', { id: 'error-FILE_SEND_FAILED' }),
    CAMERA_UNAVAILABLE: msg('No camera is available here. Scan from a photo instead, or compare the numbers by eye.', { id: 'error-CAMERA_UNAVAILABLE' }),
    CAMERA_DENIED: msg('The camera is blocked for this page. Allow it in the browser’s site settings, scan from a photo, or compare the numbers by eye.', { id: 'error-CAMERA_DENIED' }),
    QR_DECODER_UNAVAILABLE: msg('This browser cannot read QR codes. Compare the numbers by eye instead.', { id: 'error-QR_DECODER_UNAVAILABLE' }),
    QR_NOT_FOUND: msg('No QR code was found in that picture. Try a sharper, closer photo, or compare the numbers by eye.', { id: 'error-QR_NOT_FOUND' }),
    QR_NOT_SAFETY_NUMBER: msg('That QR code is not a Peerchat safety number. Scan the code in the other person’s Verify screen.', { id: 'error-QR_NOT_SAFETY_NUMBER' }),
    IDENTITY_STORAGE: msg('This browser would not store your identity key, so no private conversation can be set up. Check that site data is allowed, then try again.', { id: 'error-IDENTITY_STORAGE' }),
    IDENTITY_SETUP_FAILED: msg('This browser could not set up its encryption keys. Reload the page and try again.', { id: 'error-IDENTITY_SETUP_FAILED' }),
    IDENTITY_NOT_LOADED: msg('This browser could not load your encryption keys. Reload the page.', { id: 'error-IDENTITY_NOT_LOADED' }),
    HISTORY_UNAVAILABLE: msg('This browser would not open its local storage, so history cannot be kept. Check that site data is allowed.', { id: 'error-HISTORY_UNAVAILABLE' }),
    STORAGE_FULL: msg('This device is out of storage space for Peerchat. Free some space and try again.', { id: 'error-STORAGE_FULL' }),
    MESSAGE_SAVE_FAILED: msg('Could not save the message on this device.', { id: 'error-MESSAGE_SAVE_FAILED' }),
    MESSAGE_NOT_SAVED: msg('A message could not be saved on this device (storage full?). It will be sent again.', { id: 'error-MESSAGE_NOT_SAVED' }),
    MESSAGE_TOO_LONG: msg('Messages can be at most {max} characters.', { id: 'error-MESSAGE_TOO_LONG' }),
    MESSAGE_SEND_FAILED: msg('Could not send the message. Try again.', { id: 'error-MESSAGE_SEND_FAILED' }),
    PEER_KEY_CHANGED: msg('{name}’s security key has changed.', { id: 'error-PEER_KEY_CHANGED' }),
    PEER_NO_KEY: msg('{name}’s app has no security key, so no secure session can be set up.', { id: 'error-PEER_NO_KEY' }),
    KEY_LOOKUP_FAILED: msg('Could not get {name}’s security key from the server.', { id: 'error-KEY_LOOKUP_FAILED' }),
    SECURE_SESSION_FAILED: msg('Could not set up a secure session with {name}.', { id: 'error-SECURE_SESSION_FAILED' }),
    SHARE_UNAVAILABLE:
      msg('Something was shared to Peerchat, but Peerchat was not set up on this device yet. Open Peerchat once (over HTTPS), then share again.', { id: 'error-SHARE_UNAVAILABLE' }),
    SHARE_NOT_STORED: msg('Something was shared to Peerchat, but it could not be kept on this device (is its storage full?). Please share it again.', { id: 'error-SHARE_NOT_STORED' }),
    SHARE_MISSING: msg('The shared content was not found (was it already used in another window?). Please share it again.', { id: 'error-SHARE_MISSING' }),
    TOO_MANY_SESSIONS: msg('This account is open in too many tabs and devices. Close some of them, then try again.', { id: 'error-TOO_MANY_SESSIONS' }),
    DEVICE_LIST_REFUSED: msg('The server refused the new list of your devices. Reload and try again.', { id: 'error-DEVICE_LIST_REFUSED' }),
    DEVICE_NOT_APPROVED: msg('This device is not approved for your account yet. Approve it from one of your other devices.', { id: 'error-DEVICE_NOT_APPROVED' }),
    TOO_MANY_DEVICES: msg('Your account already has as many devices as it can have. Unlink one you no longer use first.', { id: 'error-TOO_MANY_DEVICES' }),
    SHARE_TOO_LARGE: msg('Something was shared to Peerchat that was too large to keep (at most {max} in all, and 20 files). It was not kept; anything shared before still waits.', { id: 'error-SHARE_TOO_LARGE' }),
    PEER_OFFERS_CAPPED: msg('{name} sent more files than Peerchat keeps waiting at once; the rest were declined.', { id: 'error-PEER_OFFERS_CAPPED' }),
    PEER_IMAGES_HELD: msg('Not opened automatically: {name} sent many images in the last hour.', { id: 'error-PEER_IMAGES_HELD' }),
    DEVICE_UNLINKED: msg('This device was unlinked from your account on another of your devices, so it was logged out here.', { id: 'error-DEVICE_UNLINKED' }),
    LINK_CHECK_FAILED: msg('The check failed: the new device did not answer with what it promised, so it was not added. Someone may be trying to add their own device. Start again from the new device.', { id: 'error-LINK_CHECK_FAILED' }),
    LINK_REJECTED: msg('This device was not approved.', { id: 'error-LINK_REJECTED' }),
    LINK_EXPIRED: msg('The request to add this device timed out. Try again, and approve it within five minutes.', { id: 'error-LINK_EXPIRED' }),
    LINK_BUSY: msg('Your other device has too many requests waiting. Answer or close them there, then try again.', { id: 'error-LINK_BUSY' }),
    LINK_FULL: msg('Your account already has as many devices as it may have. Unlink one on the Devices screen, then try again.', { id: 'error-LINK_FULL' }),
    LINK_BAD_GRANT: msg('The approval that arrived could not be checked, so this device was not added. Start again.', { id: 'error-LINK_BAD_GRANT' }),
    REQUEST_ACTION_FAILED: msg('That did not work: this device could not update the message request. Try again.', { id: 'error-REQUEST_ACTION_FAILED' }),
    LINK_CODES_DIFFER: msg('The codes differ, so this device was not linked. Someone may be trying to get in between; try again, and approve only when both screens show the same code.', { id: 'error-LINK_CODES_DIFFER' }),
    ACCOUNT_KEY_MISMATCH:
      msg('The server shows a different key for your account. This device kept its key and did not change anything. If you did not reset your account key on another device, someone may be trying to take over your account.', { id: 'error-ACCOUNT_KEY_MISMATCH' }),
    BACKUP_NOT_A_BACKUP: msg('This file is not a Peerchat backup. Choose the file Peerchat saved when you made the backup.', { id: 'error-BACKUP_NOT_A_BACKUP' }),
    BACKUP_UNSUPPORTED_VERSION: msg('This backup was made by a newer version of Peerchat. Update Peerchat (reload the page), then restore it again.', { id: 'error-BACKUP_UNSUPPORTED_VERSION' }),
    BACKUP_WRONG_PASSPHRASE: msg('That passphrase does not open this backup. Check it and try again.', { id: 'error-BACKUP_WRONG_PASSPHRASE' }),
    BACKUP_DAMAGED: msg('This backup is incomplete or damaged, so nothing was restored from it. Try another copy of the file.', { id: 'error-BACKUP_DAMAGED' }),
    BACKUP_PASSPHRASE_TOO_SHORT: msg('Use a passphrase of at least 10 characters: anyone who gets the file can try to guess it.', { id: 'error-BACKUP_PASSPHRASE_TOO_SHORT' }),
    BACKUP_UNAVAILABLE: msg('This browser cannot make or open backups here. Open Peerchat over HTTPS (or on localhost) and try again.', { id: 'error-BACKUP_UNAVAILABLE' }),
    GROUP_NOT_MEMBER: msg('You are no longer in this group.', { id: 'error-GROUP_NOT_MEMBER' }),
    GROUP_NOT_ADMIN: msg('Only an admin of the group can do that.', { id: 'error-GROUP_NOT_ADMIN' }),
    GROUP_BAD_REQUEST: msg('That did not work: check the group name (1 to 64 characters) and the members (at most 32, each a known username).', { id: 'error-GROUP_BAD_REQUEST' }),
    GROUP_NO_ACCOUNT_KEY: msg('This device cannot sign group changes until another of your devices approves it.', { id: 'error-GROUP_NO_ACCOUNT_KEY' }),
    EDIT_NOT_ALLOWED: msg('This message can no longer be edited (messages can be edited for 15 minutes).', { id: 'error-EDIT_NOT_ALLOWED' }),
    RECALL_NOT_ALLOWED: msg('This message can no longer be deleted for everyone (only within 24 hours).', { id: 'error-RECALL_NOT_ALLOWED' }),
    AVATAR_UNREADABLE: msg('That file could not be read as a picture. Choose a photo or image (JPEG, PNG, WebP or GIF).', { id: 'error-AVATAR_UNREADABLE' }),
  };
}

/** What to know and do about some failures, shown under the sentence (security banners). */
function explanations(): Partial<Record<AppErrorCode, string>> {
  return {
    PEER_KEY_CHANGED:
      msg('This happens when {name} starts using a new browser or device — or when someone is trying to get in between you. Your messages to {name} wait until you accept the new key. To be sure, compare safety numbers with {name} first.', { id: 'error-explained-PEER_KEY_CHANGED' }),
    PEER_NO_KEY: msg('Nothing was sent. Ask {name} to reload Peerchat to get the current version, then try again.', { id: 'error-explained-PEER_NO_KEY' }),
    KEY_LOOKUP_FAILED: msg('Nothing was sent. Peerchat tries again when the server can be reached.', { id: 'error-explained-KEY_LOOKUP_FAILED' }),
    SECURE_SESSION_FAILED:
      msg('The connection could not be verified as really coming from {name}’s device, so nothing was sent or shown. It may be a network problem — or someone interfering with the connection.', { id: 'error-explained-SECURE_SESSION_FAILED' }),
  };
}

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** A sentence a person can act on, for any code (unknown codes get UNEXPECTED's sentence). */
export function describeError(code: string, params: ErrorParams = {}): string {
  return fill(sentences()[isAppErrorCode(code) ? code : 'UNEXPECTED'], params);
}

/** The longer explanation of a code, if it has one (else null). */
export function explainError(code: AppErrorCode, params: ErrorParams = {}): string | null {
  const template = explanations()[code];
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

function cancelled() {
  return { byMe: msg('Cancelled by you'), byPeer: msg('Cancelled by {name}') };
  }

  function declined(): Record<DeclineReason, { byMe: string; byPeer: string }> {
  return {
      declined: { byMe: msg('Declined', { id: 'transfer-declined' }), byPeer: msg('Declined by {name}') },
      'too-large': { byMe: msg('Declined: the file is too large for this device.'), byPeer: msg('Declined: the file is too large for {name}’s device.') },
      storage: { byMe: msg('Declined: not enough storage space on this device.'), byPeer: msg('Declined: not enough storage space on {name}’s device.') },
      busy: {
        byMe: msg('Declined automatically: too many files from this person were already waiting.'),
        byPeer: msg('Declined automatically: {name} already has many of your files waiting. Send it again once {name} has answered those.'),
      },
  };
}

function failed(): Record<Exclude<CancelReason, 'cancelled'>, string> {
  return {
      corrupt: msg('Failed: the file did not arrive intact, so it was deleted.'),
      storage: msg('Failed: not enough storage space on the receiving device.'),
      'source-lost': msg('Failed: the sender no longer has the file.'),
      error: msg('Failed: the transfer broke off.'),
  };
}

/** The sentences of {@link TransferEnd}, for the tests that every one exists and differs. */
export function allTransferEndSentences(): string[] {
  const c = cancelled();
  return [c.byMe, c.byPeer, ...Object.values(declined()).flatMap((d) => [d.byMe, d.byPeer]), ...Object.values(failed())];
}

/** The sentence a file card shows for a transfer that ended without the file. */
export function describeTransferEnd(end: TransferEnd): string {
  switch (end.state) {
    case 'cancelled':
      return end.by === null ? cancelled().byMe : fill(cancelled().byPeer, { name: end.by });
    case 'declined': {
      const d = declined()[end.reason ?? 'declined'];
      return end.by === null ? d.byMe : fill(d.byPeer, { name: end.by });
    }
    case 'failed':
      return failed()[end.reason ?? 'error'];
  }
}
