/**
 * What a backup holds, before sealing (./backup-crypto.ts): one JSON record per line (NDJSON),
 * so a backup of any size is written and read as a stream.
 *
 *   meta          first line: format, content version, account, when
 *   profile       this person's display name and avatar (at most one)
 *   contact       a contact: pinned identity key, when pinned, verified mark, their profile name
 *   conversation  list entry: name, last text and time, unread count, contact or request
 *   message       one message of the history (recalled ones without text)
 *   end           last line: how many of each came before (a check on top of the sealing)
 *
 * Not included: file and image bytes (only their facts: name, size, type), this device's
 * identity or account private key (a restored browser is set up as a new device of the account),
 * settings of this browser. Every record is validated on the way in (a restore writes them to
 * the database): unknown kinds or fields, or values over the caps, fail with BACKUP_DAMAGED.
 */
import * as v from 'valibot';
import { PeerchatError } from '../errors';
import { safeJsonParse } from '../json';
import { LIMITS } from '../limits';
import { AVATAR_MIMES, EVERYDAY_LIMITS, REACTION_EMOJI, ReplyRefSchema } from '../messaging/everyday-messages';

export const BACKUP_CONTENT_FORMAT = 'peerchat-backup';
export const BACKUP_CONTENT_VERSION = 1;
/** Longest line of a backup (a message of maxChatChars, escaped, with everything around it). */
export const MAX_RECORD_BYTES = 256 * 1024;

const Key = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax), v.regex(/^[^A-Z]*$/));
const Name = v.pipe(v.string(), v.maxLength(Math.max(LIMITS.usernameMax, EVERYDAY_LIMITS.maxDisplayNameChars)));
const Id = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const Count = Time;
const B64Key = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/));
const Avatar = v.strictObject({
  mime: v.picklist(AVATAR_MIMES),
  data: v.pipe(v.string(), v.maxLength(Math.ceil((EVERYDAY_LIMITS.maxAvatarBytes * 4) / 3)), v.regex(/^[A-Za-z0-9_-]+$/)),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});

const RecordSchema = v.variant('t', [
  v.strictObject({ t: v.literal('meta'), format: v.literal(BACKUP_CONTENT_FORMAT), version: v.number(), account: Key, createdAt: Time }),
  v.strictObject({ t: v.literal('profile'), name: Name, ts: Time, avatar: v.optional(Avatar) }),
  v.strictObject({
    t: v.literal('contact'),
    conv: Key,
    peerName: Name,
    identityKey: v.optional(B64Key),
    pinnedAt: v.optional(Time),
    verified: v.optional(v.boolean()),
    profileName: v.optional(Name),
  }),
  v.strictObject({
    t: v.literal('conversation'),
    conv: Key,
    peerName: Name,
    lastText: v.pipe(v.string(), v.maxLength(LIMITS.maxChatChars)),
    lastTs: Time,
    unread: Count,
    contact: v.optional(v.picklist(['contact', 'request'])),
  }),
  v.strictObject({
    t: v.literal('message'),
    id: Id,
    conv: Key,
    from: Name,
    outgoing: v.boolean(),
    text: v.pipe(v.string(), v.maxLength(LIMITS.maxChatChars)),
    ts: Time,
    state: v.picklist(['waiting', 'sent', 'delivered', 'read', 'received']),
    editedAt: v.optional(Time),
    recalledAt: v.optional(Time),
    reply: v.optional(ReplyRefSchema),
    reactions: v.optional(
      v.pipe(
        v.record(Key, v.strictObject({ emoji: v.picklist(REACTION_EMOJI), ts: Time })),
        v.check((r) => Object.keys(r).length <= 64, 'too many reactions'),
      ),
    ),
    file: v.optional(
      v.strictObject({
        name: v.pipe(v.string(), v.maxLength(255)),
        size: Count,
        mime: v.optional(v.pipe(v.string(), v.maxLength(128))),
      }),
    ),
    kind: v.optional(v.picklist(['device-added', 'device-removed'])),
  }),
  v.strictObject({ t: v.literal('end'), contacts: Count, conversations: Count, messages: Count }),
]);

export type BackupRecord = v.InferOutput<typeof RecordSchema>;
export type BackupMeta = Extract<BackupRecord, { t: 'meta' }>;
export type BackupProfile = Extract<BackupRecord, { t: 'profile' }>;
export type BackupContact = Extract<BackupRecord, { t: 'contact' }>;
export type BackupConversation = Extract<BackupRecord, { t: 'conversation' }>;
export type BackupMessage = Extract<BackupRecord, { t: 'message' }>;
/** What the web side gives to make a backup: everything but `meta` and `end`, which are added here. */
export type BackupItem = BackupProfile | BackupContact | BackupConversation | BackupMessage;

const encoder = new TextEncoder();

/** The `meta` line for a backup of `account` made at `now`. */
export function backupMeta(account: string, now: number): BackupMeta {
  return { t: 'meta', format: BACKUP_CONTENT_FORMAT, version: BACKUP_CONTENT_VERSION, account, createdAt: now };
}

/**
 * The plaintext of a backup: `meta`, every item as it comes, then `end` with the counts. Each
 * item is validated first (a record that would not restore is a bug: it throws BACKUP_DAMAGED
 * rather than produce a backup that cannot be read).
 */
export async function* encodeBackupRecords(meta: BackupMeta, items: AsyncIterable<BackupItem> | Iterable<BackupItem>): AsyncGenerator<Uint8Array> {
  const counts = { contacts: 0, conversations: 0, messages: 0 };
  const line = (r: BackupRecord): Uint8Array => {
    if (!v.is(RecordSchema, r)) throw new PeerchatError('BACKUP_DAMAGED');
    const bytes = encoder.encode(JSON.stringify(r) + '\n');
    if (bytes.length > MAX_RECORD_BYTES) throw new PeerchatError('BACKUP_DAMAGED');
    return bytes;
  };
  yield line(meta);
  for await (const item of items) {
    if (item.t === 'contact') counts.contacts++;
    else if (item.t === 'conversation') counts.conversations++;
    else if (item.t === 'message') counts.messages++;
    yield line(item);
  }
  yield line({ t: 'end', ...counts });
}

/**
 * Reads the plaintext of a backup back into records: `meta` first (BACKUP_UNSUPPORTED_VERSION
 * for a newer content version), then the items (yielded one by one), then checks `end` against
 * what came. Throws BACKUP_DAMAGED for anything malformed, missing or extra.
 */
export async function* decodeBackupRecords(plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<BackupMeta | BackupItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const counts = { contacts: 0, conversations: 0, messages: 0 };
  let pending = '';
  let seenMeta = false;
  let seenEnd = false;
  let profiles = 0;
  const parseLine = (text: string): BackupRecord => {
    const r = v.safeParse(RecordSchema, safeJsonParse(text));
    if (!r.success) {
      const t = safeJsonParse(text) as { t?: unknown; version?: unknown } | undefined;
      if (!seenMeta && t?.t === 'meta' && typeof t.version === 'number' && t.version > BACKUP_CONTENT_VERSION) {
        throw new PeerchatError('BACKUP_UNSUPPORTED_VERSION', { version: t.version });
      }
      throw new PeerchatError('BACKUP_DAMAGED');
    }
    return r.output;
  };
  function* take(text: string): Generator<BackupMeta | BackupItem> {
    if (seenEnd) throw new PeerchatError('BACKUP_DAMAGED');
    const rec = parseLine(text);
    if (!seenMeta) {
      if (rec.t !== 'meta') throw new PeerchatError('BACKUP_DAMAGED');
      if (rec.version !== BACKUP_CONTENT_VERSION) throw new PeerchatError('BACKUP_UNSUPPORTED_VERSION', { version: rec.version });
      seenMeta = true;
      yield rec;
      return;
    }
    switch (rec.t) {
      case 'meta':
        throw new PeerchatError('BACKUP_DAMAGED');
      case 'end':
        if (rec.contacts !== counts.contacts || rec.conversations !== counts.conversations || rec.messages !== counts.messages) {
          throw new PeerchatError('BACKUP_DAMAGED');
        }
        seenEnd = true;
        return;
      case 'profile':
        if (++profiles > 1) throw new PeerchatError('BACKUP_DAMAGED');
        break;
      case 'contact':
        counts.contacts++;
        break;
      case 'conversation':
        counts.conversations++;
        break;
      case 'message':
        counts.messages++;
        break;
    }
    yield rec;
  }
  try {
    for await (const chunk of plaintext) {
      pending += decoder.decode(chunk, { stream: true });
      let from = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', from)) {
        const lineText = pending.slice(from, nl);
        from = nl + 1;
        yield* take(lineText);
      }
      pending = pending.slice(from);
      if (pending.length > MAX_RECORD_BYTES) throw new PeerchatError('BACKUP_DAMAGED');
    }
    pending += decoder.decode();
  } catch (e) {
    if (e instanceof PeerchatError) throw e;
    throw new PeerchatError('BACKUP_DAMAGED', {}, { cause: e });
  }
  if (pending !== '' || !seenEnd) throw new PeerchatError('BACKUP_DAMAGED');
}
