/** Why a contact's identity key could not be used for a secure session. */
export type SecurityFailureReason =
  /** The contact's key differs from the pinned one and the person has not accepted it yet. */
  | 'key-changed'
  /** The contact has published no usable key (an old app version), so nothing can be verified. */
  | 'no-key'
  | 'unknown-user'
  /** First contact and the server did not answer the lookup. */
  | 'unreachable';

export class SecurityFailure extends Error {
  constructor(readonly reason: SecurityFailureReason) {
    super(reason);
    this.name = 'SecurityFailure';
  }
}
