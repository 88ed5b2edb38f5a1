/**
 * The decisions of message requests, pure (web/src/requests/requests-service.ts runs them):
 * what becomes of a relayed WebRTC signal, of a received request, and whether our own messages
 * to someone also go as requests.
 */

/** What this device knows of one person. */
export interface ContactFacts {
  /** We accepted them or started talking to them (every conversation from before requests too). */
  contact: boolean;
  /** Blocked on this device. */
  blocked: boolean;
  /** They treat us as a contact: a secure link came up once, or they wrote to us. */
  answering: boolean;
}

export type SignalVerdict =
  /** A contact's: to the peer manager. */
  | 'deliver'
  /** A stranger's offer (or its trickle): not answered; kept briefly in case the person accepts. */
  | 'keep-unanswered'
  /** A blocked account's: dropped. */
  | 'drop';

export function signalVerdict(f: ContactFacts): SignalVerdict {
  if (f.blocked) return 'drop';
  return f.contact ? 'deliver' : 'keep-unanswered';
}

export type RequestVerdict =
  /** Blocked: dropped unread. */
  | 'drop'
  /** From a contact who has no link to us yet: an ordinary message (and we dial back). */
  | 'message'
  /** From anyone else: lands under Requests. */
  | 'request';

export function requestVerdict(f: ContactFacts): RequestVerdict {
  if (f.blocked) return 'drop';
  return f.contact ? 'message' : 'request';
}

/**
 * Do our waiting messages to this person also go as requests? Only to a contact (not blocked)
 * who never answered as one, while they are online and no link is up.
 */
export function sendsAsRequest(f: ContactFacts, online: boolean, linkReady: boolean): boolean {
  return f.contact && !f.blocked && !f.answering && online && !linkReady;
}
