/**
 * Which links to an account's devices may stay up once a newer device list is known. A link's
 * handshake verified the peer device against the list it presented (signed by the account key),
 * but that list may be older than one stored since: a device removed from the newest list is
 * cut off at once (no frames taken from it, nothing sent to it), whatever its link verified.
 */

/** The newest verified list known for an account, as far as links care. */
export interface KnownDevices {
  version: number;
  ids: readonly string[];
}

/** What a ready link's handshake verified about the peer device. */
export interface VerifiedPeerDevice {
  /** Its device id; null for a hello signed by the account key without a list. */
  deviceId: string | null;
  /** The version of the list it presented (0: none). */
  listVersion: number;
}

/**
 * True if the link may stay up. Nothing known: the handshake's version floor decided. A list
 * at least as new as the known one names the device (the handshake checked that), so it stays
 * (a newer one is about to be stored); an older one stays only if the newest list still names
 * the device. A hello without a list passes only while no list is known for the account.
 */
export function linkAdmitted(known: KnownDevices | null, peer: VerifiedPeerDevice): boolean {
  if (!known || known.version <= 0) return true;
  if (peer.deviceId === null) return false;
  return peer.listVersion >= known.version || known.ids.includes(peer.deviceId);
}
