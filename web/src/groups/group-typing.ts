/**
 * "typing…" in group conversations. The sender side is the two-person one (TypingService of
 * web/src/everyday/typing-service.ts, keyed by group id): its `typing` frames go out as
 * `group-typing` to the member devices whose links are up (nobody is dialled for a hint). The
 * receiver side uses the same service keyed by group and member (groupTypingKey), so each
 * member's "typing…" times out on its own and goes when that member's message arrives.
 *
 * A frame counts only from a current member (shared/groups/group-receipts.ts mayReportIn), and the
 * typingIndicators setting applies both ways: off, nothing is sent and nothing is shown.
 */
import type { TypingFrame } from '../../../shared/messaging/everyday-messages';
import { receiptPolicy, type ReceiptPolicy } from '../../../shared/messaging/receipts-typing';
import type { GroupState } from '../../../shared/groups/group-state';
import type { GroupTypingFrame } from '../../../shared/groups/group-frames';
import { groupTypingKey, mayReportIn, typersOf } from '../../../shared/groups/group-receipts';
import { TypingService } from '../everyday/typing-service';
import type { PeerLink } from '../net/peer-link';
import { deviceSettings } from '../settings/settings-store';

export interface GroupTypingDeps {
  /** My account (usernameKey), or null. */
  me(): string | null;
  stateOf(groupId: string): GroupState | undefined;
  /** Ready links to an account's devices. */
  readyLinks(account: string): PeerLink[];
  /** A `group-typing` frame left (counted for the e2e tests). */
  sent?(): void;
}

export class GroupTyping {
  /** Sender keys are group ids; receiver keys are groupTypingKey(group, member). */
  readonly service: TypingService;

  constructor(private readonly deps: GroupTypingDeps) {
    this.service = new TypingService({ policy: () => this.policy(), send: (group, frame) => this.send(group, frame) });
    deviceSettings.subscribe(() => this.service.settingsChanged());
  }

  private policy(): ReceiptPolicy {
    const s = deviceSettings.get();
    return receiptPolicy({ readReceipts: s.readReceipts, typing: s.typingIndicators }, true);
  }

  /** Sends `group-typing` over every ready link to the group's other members; false if none took it. */
  private send(group: string, frame: TypingFrame): boolean {
    const me = this.deps.me();
    const state = this.deps.stateOf(group);
    if (!me || !state) return false;
    const out: GroupTypingFrame = { type: 'group-typing', group, on: frame.on };
    let sent = false;
    for (const m of state.view.members) {
      if (m.account === me) continue;
      for (const link of this.deps.readyLinks(m.account)) if (link.send(out)) sent = true;
    }
    if (sent) this.deps.sent?.();
    return sent;
  }

  /** A `group-typing` from `from`'s device: shown only if `from` is a current member. */
  onFrame(from: string, frame: GroupTypingFrame): void {
    const me = this.deps.me();
    if (!me || !mayReportIn(this.deps.stateOf(frame.group), me, from)) return;
    this.service.onFrame(groupTypingKey(frame.group, from), { type: 'typing', on: frame.on });
  }

  /** A message of `author` in `group` arrived: their "typing…" goes. */
  messageFrom(group: string, author: string): void {
    this.service.contactDone(groupTypingKey(group, author));
  }

  /** Member accounts typing in `group` now, in member order. */
  typers(group: string): string[] {
    const me = this.deps.me();
    const state = this.deps.stateOf(group);
    if (!me || !state) return [];
    return typersOf(this.service.shown.get(), group, state.view.members.map((m) => m.account), me);
  }

  reset(): void {
    this.service.reset();
  }
}
