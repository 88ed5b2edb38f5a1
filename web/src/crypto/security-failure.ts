import { PeerchatError, type AppErrorCode } from '../../../shared/errors';

/** Why a contact's identity key could not be used for a secure session. */
export type SecurityFailureReason =
  /** The contact's key differs from the pinned one and the person has not accepted it yet. */
  | 'key-changed'
  /** The contact has published no usable key (an old app version), so nothing can be verified. */
  | 'no-key'
  /** The server says the contact has no account (its UNKNOWN_USER error). */
  | 'unknown-user'
  /** First contact and the server did not answer the lookup. */
  | 'unreachable';

/** The error code of each reason: what the person is shown, from here to the screen. */
export const SECURITY_FAILURE_CODES = {
  'key-changed': 'PEER_KEY_CHANGED',
  'no-key': 'PEER_NO_KEY',
  'unknown-user': 'UNKNOWN_USER',
  unreachable: 'KEY_LOOKUP_FAILED',
} as const satisfies Record<SecurityFailureReason, AppErrorCode>;

/**
 * A contact's key cannot be used. `code` is the error code the UI shows; `reason` is the same
 * fact in the form the connection layer (web/src/net/) branches on.
 */
export class SecurityFailure extends PeerchatError {
  constructor(readonly reason: SecurityFailureReason) {
    super(SECURITY_FAILURE_CODES[reason]);
    this.name = 'SecurityFailure';
  }
}
