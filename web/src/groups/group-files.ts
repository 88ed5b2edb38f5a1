/**
 * Files and images in a group conversation: one message in the group's conversation on every
 * member device, whose card each member accepts (or not) on their own device, as 1:1 files.
 *
 * Sending: the author hashes the file, draws a per-file key, and writes a signed `file` message
 * carrying the card, the hash and the key (shared/groups/group-file.ts); the message goes to
 * each member over the pairwise end-to-end sessions like any group message. The chunks are then
 * sealed once with that key and served to each member that accepts, by the author or by any
 * member whose copy verified (web/src/transfer/group-transfers.ts).
 */
import { ready } from '../../../shared/crypto/index';
import { PeerchatError } from '../../../shared/errors';
import { encodeGroupFileKey, newGroupFileKey } from '../../../shared/groups/group-file';
import { groupRecipients } from '../../../shared/groups/group-fanout';
import { parseGroupMessageText, type GroupFileRef, type GroupMessage } from '../../../shared/groups/group-message';
import { OutgoingTransfer, TRANSFER_LIMITS } from '../../../shared/transfer/index';
import type { ChatDb, StoredGroupMessage } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { FileSource } from '../files/file-source';
import { GroupTransfers, type GroupFileInfo } from '../transfer/group-transfers';
import type { TransferService } from '../transfer/transfer-service';
import { openTransfers } from '../transfer/transfer-store';
import { isInlineImageFile, makeThumbnail } from '../transfer/thumbnail';
import { withoutLocation } from '../transfer/photo-location';
import { groupConv, groupIdOf } from './groups-contract';
import type { GroupState } from '../../../shared/groups/group-state';

/** What this needs of the group service. */
export interface GroupFilesHost {
  me(): string | null;
  readyDb(): Promise<ChatDb | null>;
  stateOf(groupId: string): GroupState | undefined;
  heldOf(groupId: string): readonly StoredGroupMessage[];
  groupIds(): Iterable<string>;
  readyLinks(account: string): PeerLink[];
  dial(account: string): void;
  /** Runs `fn` in the group job queue. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Writes and sends a group message (call inside `run`). */
  write(groupId: string, body: GroupMessage['body']): Promise<void>;
  /** Throws GROUP_NOT_MEMBER unless this account is in the group. */
  memberState(groupId: string): unknown;
}

export class GroupFiles {
  readonly transfers: GroupTransfers;
  /** Every group file this device holds a message of, by file id. */
  private readonly index = new Map<string, GroupFileInfo & { at: readonly string[] }>();
  /** Whether this login's stored downloads were looked at (on the first member link). */
  private resumed = false;

  constructor(
    private readonly host: GroupFilesHost,
    private readonly service: TransferService,
  ) {
    this.transfers = new GroupTransfers(
      service,
      {
        infoOf: (id) => this.index.get(id) ?? null,
        entitled: (info) => {
          const i = this.index.get(info.ref.fileId);
          const state = this.host.stateOf(info.group);
          return i && state ? [info.author, ...groupRecipients(state, info.author, i.at)] : [];
        },
        readyLinks: (a) => host.readyLinks(a),
        want: (a) => host.dial(a),
        me: () => host.me(),
      },
      (conv) => groupIdOf(conv) !== null,
    );
    service.groupFiles = this.transfers;
  }

  /** After the groups were read: the files of their held messages. */
  indexHeld(): void {
    this.index.clear();
    this.resumed = false;
    for (const id of this.host.groupIds()) {
      for (const m of this.host.heldOf(id)) {
        if (!m.signed.msg.includes('"kind":"file"')) continue;
        const msg = parseGroupMessageText(m.signed.msg);
        if (msg) this.note(msg);
      }
    }
  }

  /**
   * A verified file message about to be stored (mine or a member's): its transfer record.
   * Returns the file id for the conversation line, or undefined when it cannot be offered here.
   */
  async arrived(msg: GroupMessage, db: ChatDb): Promise<string | undefined> {
    if (msg.body.kind !== 'file') return undefined;
    const info = this.note(msg)!;
    if (this.service.recs.get(info.ref.fileId)?.direction === 'out') return info.ref.fileId;
    return (await this.transfers.addIncoming(db, groupConv(msg.group), info)) ? info.ref.fileId : undefined;
  }

  /** The message is stored: an inline image is accepted at once (as in 1:1). */
  stored(fileId: string): void {
    void this.transfers.autoAccept(fileId).then(
      (yes) => (yes ? this.service.accept(fileId) : undefined),
      (e: unknown) => console.warn('group file: an image could not be accepted:', e instanceof Error ? e.name : typeof e),
    );
  }

  linkReady(link: PeerLink): void {
    this.transfers.linkReady(link);
    if (this.resumed) return;
    this.resumed = true;
    void this.resumeStored().catch((e: unknown) => console.warn('group file: downloads could not be resumed:', e instanceof Error ? e.name : typeof e));
  }

  /** Downloads that were running when the page went away: asked for again (once per login). */
  private async resumeStored(): Promise<void> {
    const db = await this.host.readyDb();
    if (!db) return;
    for (const id of this.host.groupIds()) {
      for (const rec of await openTransfers(db, groupConv(id))) {
        if (rec.direction !== 'in' || rec.state !== 'running') continue;
        if (!this.service.recs.has(rec.id)) this.service.recs.set(rec.id, rec);
        this.service.later(rec.id, { type: 'link-ready' });
      }
    }
  }

  /**
   * Sends each file to the group: hashed and given a key here, then written as one signed
   * message each. Rejects with FILE_TOO_LARGE ({name}), FILE_SEND_FAILED or a group error.
   */
  async send(groupId: string, files: readonly File[]): Promise<void> {
    await this.host.run(async () => this.host.memberState(groupId));
    const me = this.host.me();
    const db = await this.host.readyDb();
    if (!me || !db) throw new PeerchatError('NOT_LOGGED_IN');
    await ready();
    for (const original of files) {
      if (original.size > TRANSFER_LIMITS.maxFileSize) throw new PeerchatError('FILE_TOO_LARGE', { name: original.name });
      let prepared: { ref: GroupFileRef; file: File };
      try {
        prepared = await prepareGroupFile(await withoutLocation(original));
      } catch (e) {
        console.warn('group file: could not read a file to send:', e instanceof Error ? e.name : typeof e);
        throw new PeerchatError('FILE_SEND_FAILED', {}, { cause: e });
      }
      await this.host.run(async () => {
        this.host.memberState(groupId);
        await this.transfers.addOutgoing(db, groupConv(groupId), me, prepared.ref, Date.now(), prepared.file);
        await this.host.write(groupId, { kind: 'file', file: prepared.ref });
      });
    }
  }

  private note(msg: GroupMessage): GroupFileInfo | null {
    if (msg.body.kind !== 'file') return null;
    const info = { group: msg.group, author: msg.author, ts: msg.ts, at: msg.at, ref: msg.body.file };
    this.index.set(msg.body.file.fileId, info);
    return info;
  }
}

/** The card, whole-file hash and a fresh key of a file to send to a group. */
async function prepareGroupFile(file: File): Promise<{ ref: GroupFileRef; file: File }> {
  const image = isInlineImageFile(file);
  const thumb = image ? await makeThumbnail(file) : undefined;
  const t = new OutgoingTransfer({ name: file.name, mime: file.type, size: file.size, isImage: image, ...(thumb ? { thumb } : {}) });
  const source = new FileSource(file, t.plan.chunkSize);
  try {
    const hash = await t.finishHash((offset, length) => source.readRange(offset, length));
    const o = t.offer();
    const ref: GroupFileRef = { fileId: o.fileId, name: o.name, mime: o.mime, size: o.size, chunkSize: o.chunkSize, chunkCount: o.chunkCount, hash, key: encodeGroupFileKey(newGroupFileKey()) };
    if (o.isImage) ref.isImage = true;
    if (o.thumb !== undefined) ref.thumb = o.thumb;
    return { ref, file };
  } finally {
    source.release();
    t.dispose();
  }
}
