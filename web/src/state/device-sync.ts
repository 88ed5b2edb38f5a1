/**
 * Keeping this account's devices in step: every message this device writes or receives is
 * mirrored (`sync-msg`) to my other devices whose link is up, and when a link to one of my
 * devices comes up each side catches up on what the other stored meanwhile (`sync-from` →
 * `sync-batch` stream, resumable from the last stored batch; shared/devices/sync-plan.ts plans
 * it). Copies are stored by id, so repeats and crossings are harmless.
 */
import type { PeerMsg, SyncRecord } from '../../../shared/peer-protocol';
import { SYNC_BATCH_MAX_RECORDS } from '../../../shared/peer-protocol';
import { batchHeader, nextBatch, onBatchStored, requestOnReady, skipHeader, startCatchUp, type CatchUp } from '../../../shared/devices/sync-plan';
import type { PeerLink } from '../net/peer-link';
import type { ChatDb, StoredMessage } from '../db/schema';
import { advanceCursor, countAfter, getCursor, messagesAfter, newestSeq, readRecordOf, recordOf, storeCopy } from '../db/device-sync-store';
import { Store } from './store';

type SyncFrame = Extract<PeerMsg, { type: 'sync-msg' | 'sync-from' | 'sync-skip' | 'sync-batch' }>;

export function isSyncFrame(msg: PeerMsg): msg is SyncFrame {
  return msg.type === 'sync-msg' || msg.type === 'sync-from' || msg.type === 'sync-skip' || msg.type === 'sync-batch';
}

export interface DeviceSyncDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My account (usernameKey), or null. */
  me(): string | null;
  /** Ready links to my other devices. */
  ownLinks(): PeerLink[];
  /** The device ids of my account's current verified list (with the key held here); [] if none. */
  ownDeviceIds(): readonly string[];
  /** The conversation is open and visible (a copy of a received message is read at once). */
  isActive(conv: string): boolean;
  /** A copy was stored or changed (for the UI; never mirrored again). */
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
}

/** Bytes of buffered data above which the stream waits for the channel to drain. */
const HIGH_WATER = 1024 * 1024;

export class DeviceSync {
  /** Catch-up progress per own device (device id → state), for the UI. */
  readonly progress = new Store<ReadonlyMap<string, CatchUp>>(new Map());
  /** A newly linked device that chose to take only new messages. */
  skipBacklog = false;
  /** Links whose device asked to skip: their stream stops. */
  private readonly skipped = new WeakSet<PeerLink>();
  /** The running stream per link: a new `sync-from` replaces it (never two full streams at once). */
  private readonly streams = new WeakMap<PeerLink, object>();

  constructor(private readonly deps: DeviceSyncDeps) {}

  /** Mirrors a message this device wrote or received from a contact to my other devices. */
  mirror(m: StoredMessage): void {
    const me = this.deps.me();
    const rec = recordOf(m);
    if (!rec || !me || m.conv === me) return;
    for (const link of this.deps.ownLinks()) if (this.isOwnDevice(link)) link.send({ type: 'sync-msg', ...rec });
  }

  /** The person skips the rest of the catch-up from `device`: only what comes from now on. */
  skip(device: string): void {
    const link = this.deps.ownLinks().find((l) => l.peerDeviceId === device);
    if (link?.send({ type: 'sync-skip' })) return;
    console.warn('Peerchat: could not skip catching up (the device is not linked now)');
  }

  /** A link to one of my devices is up: ask for what it stored since we last heard. */
  linkReady(link: PeerLink): void {
    void (async () => {
      const db = await this.deps.readyDb();
      const device = link.peerDeviceId;
      if (!db || !device) return;
      const cursor = await getCursor(db, device);
      this.setProgress(device, startCatchUp(cursor ?? 0));
      link.send(requestOnReady(cursor, this.skipBacklog));
    })().catch((err: unknown) => console.warn('Peerchat: could not start catching up with another device', err));
  }

  /** A sync frame from one of my devices. */
  async receive(msg: SyncFrame, link: PeerLink): Promise<void> {
    if (!this.isOwnDevice(link)) {
      console.warn(`Peerchat: ignored ${msg.type} from a device not in this account’s device list`);
      return;
    }
    const db = await this.deps.readyDb();
    if (!db) return;
    switch (msg.type) {
      case 'sync-msg': {
        const rec: SyncRecord = { conv: msg.conv, msg: msg.msg, state: msg.state };
        await this.store(db, rec);
        // Acknowledged once stored, like chat.
        link.send({ type: 'ack', id: msg.msg.id });
        return;
      }
      case 'sync-from': {
        const run = {};
        this.streams.set(link, run);
        return this.stream(db, link, msg.seq, () => this.streams.get(link) === run);
      }
      case 'sync-skip': {
        this.skipped.add(link);
        const h = skipHeader(await newestSeq(db));
        link.send({ type: 'sync-batch', records: [], last: h.last, total: 0, done: true });
        return;
      }
      case 'sync-batch': {
        const device = link.peerDeviceId;
        if (!device) return;
        for (const rec of msg.records) await this.store(db, rec);
        await advanceCursor(db, device, msg.last);
        const before = this.progress.get().get(device) ?? startCatchUp(0);
        // A batch already on its way when we skipped does not reopen a finished catch-up.
        const done = msg.done || before.done;
        this.setProgress(device, onBatchStored(before, { count: msg.records.length, last: msg.last, total: msg.total, done }));
        return;
      }
    }
  }

  /** Streams our records after `after` to the asking device, oldest first, in frames that fit, while `current()`. */
  private async stream(db: ChatDb, link: PeerLink, after: number, current: () => boolean): Promise<void> {
    const total = await countAfter(db, after);
    let cursor = after;
    let sent = 0;
    for (;;) {
      if (!current()) return; // A newer request on this link took over.
      const page = await messagesAfter(db, cursor, SYNC_BATCH_MAX_RECORDS);
      if (!current()) return;
      const sized = await Promise.all(
        page.map(async (m) => {
          const rec = await readRecordOf(db, m);
          return { seq: m.seq ?? 0, rec, bytes: rec ? JSON.stringify(rec).length * 3 : 0 };
        }),
      );
      const batch = nextBatch(sized);
      sent += batch.length;
      const records = batch.map((b) => b.rec).filter((r): r is SyncRecord => r !== null);
      const h = batchHeader(batch, Math.max(0, total - sent + batch.length), total, cursor);
      // The last page: shorter than asked, and all of it fitted this batch.
      const done = batch.length === page.length && page.length < SYNC_BATCH_MAX_RECORDS;
      if (this.skipped.has(link) || !this.isOwnDevice(link) || !link.send({ type: 'sync-batch', records, last: h.last, total, done })) return;
      if (done) return;
      cursor = h.last;
      await drained(link);
    }
  }

  /**
   * The link's device, as its handshake verified it, is in my account's current list (verified
   * with the account key this browser holds). Only such a device gets copies or may send them.
   */
  isOwnDevice(link: PeerLink): boolean {
    const verified = link.session.peer?.deviceId ?? null;
    return verified !== null && verified === link.peerDeviceId && this.deps.ownDeviceIds().includes(verified);
  }

  private async store(db: ChatDb, rec: SyncRecord): Promise<void> {
    if (rec.conv === this.deps.me() && !rec.msg.outgoing) return; // "Your devices" holds only my own messages.
    const changed = await storeCopy(db, rec, this.deps.isActive(rec.conv));
    if (changed) {
      this.deps.emitMessage(changed);
      this.deps.refreshConversations();
    }
  }

  private setProgress(device: string, s: CatchUp): void {
    this.progress.update((p) => new Map(p).set(device, s));
  }
}

/** Resolves once the link's channel has room again (at once if it has). */
function drained(link: PeerLink): Promise<void> {
  const ch = link.channel;
  if (!ch || ch.bufferedAmount < HIGH_WATER) return Promise.resolve();
  return new Promise((resolve) => {
    ch.bufferedAmountLowThreshold = HIGH_WATER / 2;
    ch.addEventListener('bufferedamountlow', () => resolve(), { once: true });
    ch.addEventListener('close', () => resolve(), { once: true });
  });
}
