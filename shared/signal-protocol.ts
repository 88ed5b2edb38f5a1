/**
 * The signalling protocol between a browser and the signal server: JSON text frames,
 * discriminated on `type`. One parser per direction; each returns the typed message or null.
 * The server answers a null parse with an `error` frame (code BAD_MESSAGE).
 */
import * as v from 'valibot';
import { LIMITS, PRESENCE_MODES, PROTOCOL_VERSION } from './limits';
import { ERROR_CODES, type ErrorCode } from './errors';
import { safeJsonParse, utf8Length } from './json';
import { DeviceIdSchema, MAX_DEVICES, SignedDeviceListSchema } from './devices/device-list';
import { typeVariant } from './type-variant';

// --- field schemas -----------------------------------------------------------------------

/** Usernames on the wire are only length-capped here; the full rule is in account-rules. */
const Username = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax));
const Password = v.pipe(v.string(), v.maxLength(LIMITS.passwordMax * 4));
const Token = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/));
const IdentityKey = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/));
/** Connection id chosen by the initiating browser, so stale signals can be told apart. */
const ConnectionId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/));
const Version = v.literal(PROTOCOL_VERSION);
const Sdp = v.pipe(v.string(), v.maxLength(LIMITS.maxSignalBytes));
/** A device of an account (shared/devices/device-list.ts): 22 characters base64url. */
const DeviceId = DeviceIdSchema;
/** The account's device list as signed by its account key; the server checks shape, signature and version. */
const Devices = SignedDeviceListSchema;
/** Online device ids of one account. */
const DeviceIds = v.pipe(v.array(DeviceId), v.maxLength(MAX_DEVICES * 4));
/**
 * A linking message between two devices of one account (shared/devices/link-messages.ts parses
 * it). The server only relays it between connections of the same account, so it sees its size only.
 */
const LinkData = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(32)), v.unknown()),
  v.check((o) => utf8Length(JSON.stringify(o)) <= LIMITS.maxLinkDataBytes, 'link data too large'),
);

/**
 * A message request sealed to the recipient's account key (shared/requests/request-box.ts). The
 * server relays it and never stores it; it sees only its size.
 */
const RequestBox = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxRequestBoxChars), v.regex(/^[A-Za-z0-9_-]+$/));

/** What simple-peer emits on its 'signal' event and accepts in `signal()`. */
const SignalData = typeVariant([
  v.object({ type: v.literal('offer'), sdp: Sdp }),
  v.object({ type: v.literal('answer'), sdp: Sdp }),
  v.object({
    type: v.literal('candidate'),
    candidate: v.object({
      candidate: v.pipe(v.string(), v.maxLength(1024)),
      sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024)))),
      sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
      usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
    }),
  }),
  v.object({ type: v.literal('renegotiate'), renegotiate: v.literal(true) }),
]);
export type SignalData = v.InferOutput<typeof SignalData>;

const IceServer = v.object({
  urls: v.union([v.pipe(v.string(), v.maxLength(512)), v.pipe(v.array(v.pipe(v.string(), v.maxLength(512))), v.maxLength(16))]),
  username: v.optional(v.pipe(v.string(), v.maxLength(256))),
  credential: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export type IceServer = v.InferOutput<typeof IceServer>;

// --- client → server ------------------------------------------------------------------------

const ClientMsg = typeVariant([
  // `identityKey` is the account key. `deviceId` names this browser (absent: a client from before
  // devices, treated as before). `devices` publishes the account's signed device list with the
  // login (the first list of a new or upgraded account).
  v.object({
    type: v.literal('register'),
    v: Version,
    username: Username,
    password: Password,
    identityKey: v.optional(IdentityKey),
    deviceId: v.optional(DeviceId),
    devices: v.optional(Devices),
  }),
  v.object({
    type: v.literal('login'),
    v: Version,
    username: Username,
    password: Password,
    identityKey: v.optional(IdentityKey),
    deviceId: v.optional(DeviceId),
    devices: v.optional(Devices),
  }),
  v.object({ type: v.literal('resume'), v: Version, token: Token, identityKey: v.optional(IdentityKey), deviceId: v.optional(DeviceId), devices: v.optional(Devices) }),
  v.object({ type: v.literal('logout') }),
  /** `toDevice`: the one device of `to` this is for (absent: every connection of `to`, as before devices). */
  v.object({ type: v.literal('signal'), to: Username, toDevice: v.optional(DeviceId), cid: ConnectionId, data: SignalData }),
  v.object({ type: v.literal('lookup'), username: Username }),
  /** A new version of our account's device list (a device linked, renamed or unlinked). */
  v.object({ type: v.literal('devices-publish'), devices: Devices }),
  /**
   * Every device was lost: a new account key and a first device list replace the old ones (the
   * contacts see a key change). Every other session of the account ends.
   */
  v.object({ type: v.literal('account-reset'), identityKey: IdentityKey, devices: Devices }),
  /** Linking: to the other devices of our own account (`toDevice` absent: all of them). */
  v.object({ type: v.literal('link'), toDevice: v.optional(DeviceId), data: LinkData }),
  /** A message request to someone who has not accepted us yet: relayed to their approved connections, never stored. */
  v.object({ type: v.literal('request'), to: Username, box: RequestBox }),
  /**
   * `contacts` presence mode: from now on, tell this connection only about these users (replaces
   * the previous list; at most maxPresenceSubscriptions names). Answered with a `presence`
   * snapshot of the named users online now, then `presence-update`s as they come and go.
   */
  v.object({ type: v.literal('presence-subscribe'), users: v.pipe(v.array(Username), v.maxLength(LIMITS.maxPresenceSubscriptions)) }),
]);
export type ClientMsg = v.InferOutput<typeof ClientMsg>;
export type ClientMsgType = ClientMsg['type'];

// --- server → client ------------------------------------------------------------------------

const ServerMsg = typeVariant([
  v.object({
    type: v.literal('welcome'),
    v: Version,
    username: Username,
    token: Token,
    expiresAt: v.number(),
    iceServers: v.pipe(v.array(IceServer), v.maxLength(16)),
    /** The account key and device list the server holds for this account (null: none yet). */
    identityKey: v.optional(v.nullable(IdentityKey)),
    devices: v.optional(v.nullable(Devices)),
    /**
     * The server's presence mode (absent: a server from before modes, i.e. `open`). In `contacts`
     * the client names whose presence it wants with `presence-subscribe`.
     */
    presence: v.optional(v.picklist(PRESENCE_MODES)),
  }),
  /**
   * Who is online. `devices[i]` are the online devices of `online[i]` (absent for a connection
   * from before devices).
   */
  v.object({
    type: v.literal('presence'),
    online: v.pipe(v.array(Username), v.maxLength(100_000)),
    devices: v.optional(v.pipe(v.array(DeviceIds), v.maxLength(100_000))),
  }),
  /** Sent when a device of `username` comes or goes; `devices` are the ones online now. */
  v.object({ type: v.literal('presence-update'), username: Username, online: v.boolean(), devices: v.optional(DeviceIds) }),
  v.object({ type: v.literal('signal'), from: Username, fromDevice: v.optional(DeviceId), cid: ConnectionId, data: SignalData }),
  v.object({
    type: v.literal('identity'),
    username: Username,
    identityKey: v.nullable(IdentityKey),
    devices: v.optional(v.nullable(Devices)),
    /** The devices of `username` online now. */
    online: v.optional(DeviceIds),
  }),
  /** An account's device list changed (pushed to everyone online, like presence). */
  v.object({ type: v.literal('devices'), username: Username, devices: Devices }),
  /** Linking, from another device of our own account (`fromDevice` set by the server). */
  v.object({ type: v.literal('link'), fromDevice: DeviceId, data: LinkData }),
  v.object({ type: v.literal('logged-out') }),
  /** A message request; `from` is set by the server (the sender's stored display name). */
  v.object({ type: v.literal('request'), from: Username, box: RequestBox }),
  v.object({
    type: v.literal('error'),
    code: v.picklist(ERROR_CODES),
    /** The `type` of the client frame that caused it, when known. */
    ref: v.optional(v.pipe(v.string(), v.maxLength(32))),
    /** For relay errors: which peer and connection the failed frame was for. */
    to: v.optional(Username),
    cid: v.optional(ConnectionId),
  }),
]);
export type ServerMsg = v.InferOutput<typeof ServerMsg>;
export type ServerErrorMsg = Extract<ServerMsg, { type: 'error' }>;

function parseWith<T>(schema: v.GenericSchema<unknown, T>, raw: unknown, maxBytes: number): T | null {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: only a text that long needs counting.
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes)) return null;
    value = safeJsonParse(raw);
    if (value === undefined) return null;
  }
  const r = v.safeParse(schema, value);
  return r.success ? r.output : null;
}

/** Parses a frame a client sent (server side). Returns null for anything malformed. */
export function parseClientMsg(raw: unknown): ClientMsg | null {
  return parseWith(ClientMsg, raw, LIMITS.maxFrameBytes);
}

/** Parses a frame the server sent (browser side). Returns null for anything malformed. */
export function parseServerMsg(raw: unknown): ServerMsg | null {
  return parseWith(ServerMsg, raw, 8 * 1024 * 1024);
}

/** Parses the ICE server list from configuration (env or flags); throws with a sentence. */
export function parseIceServers(raw: unknown): IceServer[] {
  const r = v.safeParse(v.array(IceServer), raw);
  if (!r.success) throw new Error('ICE servers must be a JSON array of {urls, username?, credential?}');
  return r.output;
}

export function errorFrame(code: ErrorCode, extra: { ref?: string; to?: string; cid?: string } = {}): ServerErrorMsg {
  return { type: 'error', code, ...extra };
}
