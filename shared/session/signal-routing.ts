/**
 * Where a relayed WebRTC signal goes, given the link we have with its sender (if any). Pure, so
 * the glare rule is testable: when both sides dial at once, the side with the smaller username
 * key keeps its own offer and the other side answers it, so exactly one connection survives.
 */

/** What the router needs to know about the current link with the sender. */
export interface LinkSummary {
  cid: string;
  initiator: boolean;
  /** Still setting up (offer/answer/ICE/handshake). */
  connecting: boolean;
}

export type SignalRoute =
  /** Feed it to the current link: same connection attempt. */
  | 'to-link'
  /** Drop it: stale trickle from an abandoned attempt, or an offer that lost the glare tie-break. */
  | 'drop'
  /** A new offer: close the current link, if any, and answer it on a new one. */
  | 'answer';

export function routeSignal(link: LinkSummary | undefined, signal: { cid: string; isOffer: boolean }, myKey: string, peerKey: string): SignalRoute {
  if (link && link.cid === signal.cid) return 'to-link';
  if (!signal.isOffer) return 'drop';
  // Glare, and our offer wins: the peer will answer ours.
  if (link && link.initiator && link.connecting && myKey < peerKey) return 'drop';
  // The peer reloaded, or lost the glare tie-break.
  return 'answer';
}
