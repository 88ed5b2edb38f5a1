/**
 * "Read" and "typing…" in group conversations (the group service routes `group-read` and
 * `group-typing` here). Typing is group-typing.ts. Reads: while this person views a group (open
 * and the page visible), the newest message of each other author seen is reported to that
 * author's devices in one `group-read` (batched like the two-person receipts); a `group-read` that
 * arrives marks my messages of that group up to its `upTo` as read by the sender
 * (shared/groups/group-receipts.ts says which count). The readReceipts setting applies both
 * ways: off, nothing is sent and arriving reads are not recorded.
 */
import { groupReadFramesFor, groupReadUpdates } from '../../../shared/groups/group-receipts';
import type { GroupFrame, GroupReadFrame } from '../../../shared/groups/group-frames';
import { deviceSettings } from '../settings/settings-store';
import { TEST_HOOKS } from '../test-hooks';
import { groupConv } from './groups-contract';
import type { GroupService } from './group-service';
import { GroupTyping } from './group-typing';
import { readCandidates, saveReaders } from './group-receipts-db';

/** Messages arriving within this long of each other are reported in one `group-read` per author. */
const BATCH_MS = 300;
/** My newest messages of a group a `group-read` is checked against (older ones were read before). */
const MAX_CHECKED = 200;

/** What the e2e tests watch (exposed as `peerchatGroupReceipts` in an e2e build only). */
export interface GroupReceiptCounters {
  /** Times this device decided what to report as read (whether or not it sent anything). */
  flushes: number;
  /** `group-read` frames sent. */
  readSent: number;
  /** `group-typing` frames sent (to at least one device). */
  typingSent: number;
}

export class GroupReceipts {
  readonly typing: GroupTyping;
  readonly counters: GroupReceiptCounters = { flushes: 0, readSent: 0, typingSent: 0 };
  /** Per group, per author: what the last `group-read` sent to them covered. */
  private readonly sent = new Map<string, Map<string, { id: string; ts: number }>>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly svc: GroupService) {
    this.typing = new GroupTyping({ me: () => svc.me(), stateOf: (id) => svc.book.states.get(id), readyLinks: (a) => svc.deps.readyLinks(a), sent: () => this.counters.typingSent++ });
    globalThis.document?.addEventListener('visibilitychange', () => this.viewed());
    deviceSettings.subscribe(() => this.viewed());
    if (TEST_HOOKS) (globalThis as { peerchatGroupReceipts?: GroupReceiptCounters }).peerchatGroupReceipts = this.counters;
  }

  /** A group frame of mine: true if it was one (handled here, off the group job queue). */
  onFrame(from: string, frame: GroupFrame): boolean {
    if (frame.type === 'group-typing') this.typing.onFrame(from, frame);
    else if (frame.type === 'group-read') void this.onRead(from, frame).catch((err: unknown) => console.warn('Peerchat: a group read receipt could not be stored', err));
    else return false;
    return true;
  }

  /** A member's message arrived: their "typing…" goes, and it may be read now. */
  arrived(group: string, author: string): void {
    this.typing.messageFrom(group, author);
    this.viewed();
  }

  /** The person may be looking at a group now (opened, page shown): report what they see, soon. */
  viewed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, BATCH_MS);
  }

  /** A link to `account` came up: what an earlier link may have lost is reported again. */
  linkReady(account: string): void {
    for (const sent of this.sent.values()) sent.delete(account);
    this.viewed();
  }

  reset(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.sent.clear();
    this.typing.reset();
  }

  private flush(): void {
    this.counters.flushes++;
    const me = this.svc.me();
    if (!me || !deviceSettings.get().readReceipts) return;
    for (const [group, state] of this.svc.book.states) {
      if (!this.svc.deps.isActive(groupConv(group))) continue;
      const sent = this.sent.get(group) ?? new Map<string, { id: string; ts: number }>();
      for (const { author, frame } of groupReadFramesFor(state, this.svc.book.heldOf(group), me, sent)) {
        let took = false;
        for (const link of this.svc.deps.readyLinks(author)) if (link.send(frame)) took = true;
        // Not reached now: tried again the next time the group is viewed.
        if (took) sent.set(author, frame.upTo);
        if (took) this.counters.readSent++;
      }
      this.sent.set(group, sent);
    }
  }

  private async onRead(from: string, frame: GroupReadFrame): Promise<void> {
    const me = this.svc.me();
    const db = await this.svc.deps.readyDb();
    if (!me || !db || !deviceSettings.get().readReceipts) return;
    const mine = this.svc.book.heldOf(frame.group).filter((m) => m.author === me);
    const ids = mine.slice(-MAX_CHECKED).map((m) => m.id);
    const lines = await readCandidates(db, ids);
    const updates = groupReadUpdates(lines, frame, { me, from, state: this.svc.book.states.get(frame.group) });
    for (const m of await saveReaders(db, updates)) this.svc.deps.emitMessage(m);
  }
}
