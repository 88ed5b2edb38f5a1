/**
 * What a contact's frame may do to the records kept under an id: pure decisions, run by the
 * browser's services (web/src/transfer/transfer-store.ts, web/src/state/message-outbox.ts).
 *
 * Message ids and file ids share one id space on a device: a file is shown as a message whose id
 * is the file id. Both are chosen by the sender, so a hostile contact can pick an id that is
 * already taken, by a message of any conversation or by another contact's transfer. Such a frame
 * must never touch the record that already holds the id.
 */

/** The part of a stored record these decisions look at. */
export interface RecordOwner {
  /** The conversation (the contact's username key) the record belongs to. */
  conv: string;
}

/**
 * A `file-offer` from the contact of `conv`, whose file id already names `transfer` and/or
 * `message` on this device (undefined: none):
 * - `new`: the id is free; store the transfer and its message.
 * - `known`: the contact offers again a file of theirs we already have (a re-offer after a
 *   reconnect); nothing new is stored.
 * - `taken`: the id belongs to a message or another conversation's transfer; the offer is refused
 *   and nothing is written.
 */
export type OfferIdVerdict = 'new' | 'known' | 'taken';

export function offerIdVerdict(conv: string, transfer: RecordOwner | undefined, message: (RecordOwner & { fileId?: string }) | undefined): OfferIdVerdict {
  if (transfer) return transfer.conv === conv ? 'known' : 'taken';
  // A message under the id without a transfer is a chat message (or a file message whose transfer
  // is gone): either way not the contact's to replace.
  return message ? 'taken' : 'new';
}

/**
 * An `ack` from the contact of `conv` for the stored message `msg` (undefined: no such message):
 * true only for an outgoing message of that same conversation that is not delivered yet. A
 * receipt from one contact never marks another conversation's message delivered.
 */
export function ackApplies(conv: string, msg: (RecordOwner & { outgoing: boolean; state: string }) | undefined): boolean {
  return !!msg && msg.conv === conv && msg.outgoing && msg.state !== 'delivered';
}
