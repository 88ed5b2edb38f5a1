/** Version of the signalling protocol; sent in the first frame of every connection. */
export const PROTOCOL_VERSION = 1;

/** Caps that both ends enforce. Changing one is a protocol change. */
export const LIMITS = {
  /** Largest signalling frame accepted by the server (ws maxPayload). SDP fits comfortably. */
  maxFrameBytes: 64 * 1024,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  /** Upper bound so a client cannot make the server hash megabytes. */
  passwordMax: 256,
  /** Session tokens are 32 random bytes, base64url encoded (43 chars). */
  tokenChars: 43,
  /** Largest relayed signal payload (serialized), e.g. an SDP offer. */
  maxSignalBytes: 48 * 1024,
  /** Base64url of a 32-byte Ed25519 public key. */
  identityKeyChars: 43,
  /** Chat message text, in UTF-16 code units. */
  maxChatChars: 16 * 1024,
  /** Largest frame on the data channel. Chromium's max message size is 256 KiB. */
  maxPeerFrameBytes: 256 * 1024,
  /** Message ids: 128 random bits as 32 lowercase hex chars. */
  messageIdChars: 32,
  /**
   * A linking message relayed between two devices of one account (serialized JSON). The grant
   * carries a whole signed device list (up to 16 devices with 64-character names), boxed and
   * base64url-encoded: about 13 KiB at worst (test/unit/devices-link.test.ts checks it fits).
   */
  maxLinkDataBytes: 16 * 1024,
  /**
   * A sealed message request (base64url characters; shared/requests/request-box.ts). A request of
   * maxChatChars ASCII characters fits; a longer one in bytes waits for the direct connection.
   */
  maxRequestBoxChars: 24 * 1024,
  /**
   * Users one connection may follow with `presence-subscribe` (a server in `contacts` presence
   * mode). 1,000 names of 32 characters fit one frame (maxFrameBytes) with room to spare.
   */
  maxPresenceSubscriptions: 1000,
} as const;

/**
 * Who hears about whom (the server's `--presence`, told to the client in `welcome`): `open`,
 * every logged-in connection hears about every account; `contacts`, a connection hears only
 * about the accounts it named in its last `presence-subscribe` (and its own account's devices).
 */
export const PRESENCE_MODES = ['open', 'contacts'] as const;
export type PresenceMode = (typeof PRESENCE_MODES)[number];
