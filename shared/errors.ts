/**
 * The one error vocabulary. Every failure a person can see carries a stable code from here, from
 * the server's `error` frame to the screen; the browser turns a code into a sentence in exactly
 * one place (web/src/l10n/error-text.ts), so tests assert on codes and translators work on one
 * table.
 *
 * - {@link ERROR_CODES}: codes that travel on the wire in the server's `error` frame.
 * - {@link CLIENT_ERROR_CODES}: codes the browser raises itself (never sent by the server).
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
  /** The account already has as many logged-in connections as the server allows. */
  'TOO_MANY_SESSIONS',
  /** A published device list was refused: bad signature, not newer than the stored one, wrong account. */
  'DEVICE_LIST_REFUSED',
  /** This device is not (or no longer) in the account's device list, so it may not do this. */
  'DEVICE_NOT_APPROVED',
  /** The account already has as many devices as the server allows. */
  'TOO_MANY_DEVICES',
] as const;

/** A code on the wire (the server's `error` frame). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes raised in the browser. Append here when a new failure reaches the screen, and give it a
 * sentence in web/src/l10n/error-text.ts (the typecheck refuses a code without one).
 */
export const CLIENT_ERROR_CODES = [
  /** Anything without a more specific code; always logged where it is caught. */
  'UNEXPECTED',
  /** The server could not be reached (socket closed or never opened); the app retries. */
  'SERVER_UNREACHABLE',
  /** A file is larger than the transfer protocol allows. */
  'FILE_TOO_LARGE',
  /** A file could not be offered (stored or sent); nothing was sent. */
  'FILE_SEND_FAILED',
  /** No camera to scan with (none attached, in use elsewhere, or the page is not on HTTPS). */
  'CAMERA_UNAVAILABLE',
  /** The person or the browser refused the camera. */
  'CAMERA_DENIED',
  /** Neither the browser's barcode reader nor the bundled one could be started. */
  'QR_DECODER_UNAVAILABLE',
  /** A photo was read but no QR code was found in it. */
  'QR_NOT_FOUND',
  /** A QR code was read, but it is not a Peerchat safety number. */
  'QR_NOT_SAFETY_NUMBER',
  /** This browser would not store (or load) the account's identity key (web/src/crypto/device-identity.ts). */
  'IDENTITY_STORAGE',
  /** Setting up the identity key failed for another reason (chat service, before logging in). */
  'IDENTITY_SETUP_FAILED',
  /** Logged in, but the identity key loaded before the login is not there (chat service). */
  'IDENTITY_NOT_LOADED',
  /** The account's history database would not open (IndexedDB refused). */
  'HISTORY_UNAVAILABLE',
  /** The device is out of storage for the history (web/src/db/history.ts, QuotaExceededError). */
  'STORAGE_FULL',
  /** A message typed here could not be stored, so it was not sent. */
  'MESSAGE_SAVE_FAILED',
  /** A received message could not be stored; it is not acknowledged, so the sender sends it again. */
  'MESSAGE_NOT_SAVED',
  /** A message longer than LIMITS.maxChatChars (param `max`). */
  'MESSAGE_TOO_LONG',
  /** Sending a message failed for a reason without its own code. */
  'MESSAGE_SEND_FAILED',
  /** The contact's identity key differs from the pinned one; sending waits for the person (param `name`). */
  'PEER_KEY_CHANGED',
  /** The contact has published no usable identity key, so no secure session can be set up (param `name`). */
  'PEER_NO_KEY',
  /** The server did not answer the lookup of a contact's key on first contact (param `name`). */
  'KEY_LOOKUP_FAILED',
  /** The secure-session handshake or a sealed frame did not verify (param `name`). */
  'SECURE_SESSION_FAILED',
  /** Content was shared to the app while no service worker could take it (the server's landing). */
  'SHARE_UNAVAILABLE',
  /** The service worker could not keep shared content (unreadable form, storage full). */
  'SHARE_NOT_STORED',
  /** The app was told about a share that is no longer stored (used in another window). */
  'SHARE_MISSING',
  /** Content shared to the app was over the share limits (shared/share-merge.ts; param `max`) and was not kept. */
  'SHARE_TOO_LARGE',
  /** A contact had as many file offers waiting as this device keeps; later ones were declined (param `name`). */
  'PEER_OFFERS_CAPPED',
  /** An image from a contact waits to be accepted: the contact used up its image budget for the hour (param `name`). */
  'PEER_IMAGES_HELD',
  /** This device was removed from the account's device list on another device, so it was logged out. */
  'DEVICE_UNLINKED',
  /** Linking a device: the new device's reveal did not match its commit (a relay in the middle, or a bug); nothing was linked. */
  'LINK_CHECK_FAILED',
  /** Linking a device: the person refused it on the existing device. */
  'LINK_REJECTED',
  /** Linking a device: no answer within the linking time limit. */
  'LINK_EXPIRED',
  /** Linking a device: the existing device already has as many requests open as it shows. */
  'LINK_BUSY',
  /** Linking a device: the account already has as many devices as it may have. */
  'LINK_FULL',
  /** Linking a device: the approval that arrived did not open or did not verify (wrong key, wrong account, not naming this device). */
  'LINK_BAD_GRANT',
  /** A message request could not be accepted, deleted, blocked or unblocked on this device (storage). */
  'REQUEST_ACTION_FAILED',
  /** Linking a device: the person said the codes on the two screens differ; nothing was linked. */
  'LINK_CODES_DIFFER',
  /**
   * This device holds the account key, but the server showed another key (or a device list that
   * does not verify with the held key): refused, nothing changed here.
   */
  'ACCOUNT_KEY_MISMATCH',
  /** Groups: the group is not on this device, or this account is no longer in it. */
  'GROUP_NOT_MEMBER',
  /** Groups: only an admin may do that (add, remove, make admin, rename). */
  'GROUP_NOT_ADMIN',
  /** Groups: a blank or over-long name, no members, too many members, or someone already in (or not in) the group. */
  'GROUP_BAD_REQUEST',
  /** Groups: this device has no account key yet (it waits for approval by another device). */
  'GROUP_NO_ACCOUNT_KEY',
  /** Restoring: the file is not a Peerchat backup (shared/backup/). */
  'BACKUP_NOT_A_BACKUP',
  /** Restoring: the backup was made by a newer version of Peerchat (param `version`). */
  'BACKUP_UNSUPPORTED_VERSION',
  /** Restoring: the passphrase does not open this backup. */
  'BACKUP_WRONG_PASSPHRASE',
  /** Restoring: the backup is incomplete (cut short) or was altered; nothing of it was kept. */
  'BACKUP_DAMAGED',
  /** Making a backup: the passphrase is shorter than MIN_PASSPHRASE_CHARS (shared/backup/backup-format.ts; its sentence names the number). */
  'BACKUP_PASSPHRASE_TOO_SHORT',
  /** This browser lacks what a backup needs (WebCrypto; the page must be on HTTPS or localhost). */
  'BACKUP_UNAVAILABLE',
  /** Editing a message: past the edit window (15 minutes), or it was deleted for everyone. */
  'EDIT_NOT_ALLOWED',
  /** Deleting a message for everyone: past the recall window (24 hours). */
  'RECALL_NOT_ALLOWED',
  /** Profile: the chosen picture could not be read as an image (or not made small enough). */
  'AVATAR_UNREADABLE',
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Any code a person may be shown. */
export type AppErrorCode = ErrorCode | ClientErrorCode;

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}

export function isAppErrorCode(x: unknown): x is AppErrorCode {
  return isErrorCode(x) || (typeof x === 'string' && (CLIENT_ERROR_CODES as readonly string[]).includes(x));
}

/** Values a sentence may name (a file name, a person), never assembled into sentences by callers. */
export type ErrorParams = Readonly<Record<string, string | number>>;

/**
 * An error with a stable code, thrown across layers instead of an English message. `message` is
 * the code itself (for logs); people see the sentence the UI makes from `code` and `params`.
 */
export class PeerchatError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly params: ErrorParams = {},
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'PeerchatError';
  }
}

/** The code of anything caught: a PeerchatError's own, else UNEXPECTED. */
export function errorCodeOf(e: unknown): AppErrorCode {
  return e instanceof PeerchatError ? e.code : 'UNEXPECTED';
}
