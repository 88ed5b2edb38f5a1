/**
 * The signalling protocol between a browser and the signal server: JSON text frames,
 * discriminated on `type`. One parser per direction; each returns the typed message or null.
 * The server answers a null parse with an `error` frame (code BAD_MESSAGE).
 */
import * as v from 'valibot';
import { LIMITS, PROTOCOL_VERSION } from './limits';
import { ERROR_CODES, type ErrorCode } from './errors';
import { safeJsonParse, utf8Length } from './json';

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

/** What simple-peer emits on its 'signal' event and accepts in `signal()`. */
const SignalData = v.variant('type', [
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

const ClientMsg = v.variant('type', [
  v.object({ type: v.literal('register'), v: Version, username: Username, password: Password, identityKey: v.optional(IdentityKey) }),
  v.object({ type: v.literal('login'), v: Version, username: Username, password: Password, identityKey: v.optional(IdentityKey) }),
  v.object({ type: v.literal('resume'), v: Version, token: Token, identityKey: v.optional(IdentityKey) }),
  v.object({ type: v.literal('logout') }),
  v.object({ type: v.literal('signal'), to: Username, cid: ConnectionId, data: SignalData }),
  v.object({ type: v.literal('lookup'), username: Username }),
]);
export type ClientMsg = v.InferOutput<typeof ClientMsg>;
export type ClientMsgType = ClientMsg['type'];

// --- server → client ------------------------------------------------------------------------

const ServerMsg = v.variant('type', [
  v.object({
    type: v.literal('welcome'),
    v: Version,
    username: Username,
    token: Token,
    expiresAt: v.number(),
    iceServers: v.pipe(v.array(IceServer), v.maxLength(16)),
  }),
  v.object({ type: v.literal('presence'), online: v.pipe(v.array(Username), v.maxLength(100_000)) }),
  v.object({ type: v.literal('presence-update'), username: Username, online: v.boolean() }),
  v.object({ type: v.literal('signal'), from: Username, cid: ConnectionId, data: SignalData }),
  v.object({ type: v.literal('identity'), username: Username, identityKey: v.nullable(IdentityKey) }),
  v.object({ type: v.literal('logged-out') }),
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
    if (utf8Length(raw) > maxBytes) return null;
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
