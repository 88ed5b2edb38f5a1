/**
 * "typing…" in two-person conversations: runs the pure sender and receiver state machines of
 * shared/messaging/receipts-typing.ts with real timers. The sender side is driven by the
 * composer (a keystroke, a cleared box, a sent message, leaving the conversation) and sends
 * `typing` frames at most as often as TYPING_TIMING allows; the receiver side keeps `shown`,
 * the conversations whose contact is typing now, which the conversation header draws.
 *
 * With typing indicators off (or for anyone but an accepted contact) nothing is sent and
 * nothing is shown: the policy comes from the caller (web/src/everyday/receipts-service.ts).
 */
import type { TypingFrame } from '../../../shared/messaging/everyday-messages';
import {
  TYPING_SENDER_IDLE,
  TYPING_TIMING,
  isTypingShown,
  typingInput,
  typingReceived,
  typingStop,
  typingTick,
  type ReceiptPolicy,
  type TypingSender,
  type TypingStep,
} from '../../../shared/messaging/receipts-typing';
import { Store } from '../state/store';

export interface TypingDeps {
  /** What this device sends to and shows from the conversation now (settings, contact or not). */
  policy(conv: string): ReceiptPolicy;
  /** Sends a frame over the conversation's secure session; false if there is none. */
  send(conv: string, frame: TypingFrame): boolean;
  /** The clock (injected for tests). */
  now?(): number;
}

/** How often the sender checks for an idle draft while `typing on` stands. */
const TICK_MS = 1000;

export class TypingService {
  /** Conversations (username keys) whose contact is shown typing now. */
  readonly shown = new Store<ReadonlySet<string>>(new Set());
  /** What was last sent per conversation (absent: idle). */
  private readonly senders = new Map<string, TypingSender>();
  /** When the contact's last `typing on` came, per conversation. */
  private readonly seen = new Map<string, number>();
  private readonly hideTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: TypingDeps) {}

  /** The person changed the draft of `conv` (`empty`: the box is now empty). */
  input(conv: string, empty: boolean): void {
    this.apply(conv, typingInput(this.senders.get(conv) ?? TYPING_SENDER_IDLE, this.now(), empty, this.deps.policy(conv)));
  }

  /**
   * The message was sent: the sender is idle again, and no `typing off` goes, since the message
   * itself ends "typing…" on the other side (one frame fewer, right beside the message).
   */
  sent(conv: string): void {
    if (this.senders.has(conv)) this.apply(conv, { state: TYPING_SENDER_IDLE, send: null });
  }

  /** The person left the conversation (or turned typing off): `typing off` if `on` stands. */
  stop(conv: string): void {
    const state = this.senders.get(conv);
    if (state) this.apply(conv, typingStop(state));
  }

  /** A `typing` frame from the contact of `conv`. */
  onFrame(conv: string, frame: TypingFrame): void {
    const seen = typingReceived(frame, this.now(), this.deps.policy(conv));
    clearTimeout(this.hideTimers.get(conv));
    this.hideTimers.delete(conv);
    if (seen === null) {
      this.seen.delete(conv);
    } else {
      this.seen.set(conv, seen);
      // Hidden after showMs without a new `on`, whether or not `off` comes.
      this.hideTimers.set(
        conv,
        setTimeout(() => {
          this.hideTimers.delete(conv);
          this.refresh();
        }, TYPING_TIMING.showMs),
      );
    }
    this.refresh();
  }

  /** A message from the contact of `conv` arrived, or its session ended: "typing…" goes. */
  contactDone(conv: string): void {
    if (!this.seen.delete(conv)) return;
    clearTimeout(this.hideTimers.get(conv));
    this.hideTimers.delete(conv);
    this.refresh();
  }

  /** The session with `conv` ended: nothing stands on either side. */
  linkGone(conv: string): void {
    this.senders.delete(conv);
    this.contactDone(conv);
  }

  /** The settings changed: stop sending where it is now off, and show only what the policy allows. */
  settingsChanged(): void {
    for (const conv of [...this.senders.keys()]) if (!this.deps.policy(conv).sendTyping) this.stop(conv);
    this.refresh();
  }

  /** Logged out: forget everything (nothing is sent). */
  reset(): void {
    for (const t of this.hideTimers.values()) clearTimeout(t);
    this.hideTimers.clear();
    this.senders.clear();
    this.seen.clear();
    this.stopTicker();
    this.shown.set(new Set());
  }

  private apply(conv: string, step: TypingStep): void {
    if (step.state.on) this.senders.set(conv, step.state);
    else this.senders.delete(conv);
    // Typing is a passing hint: with no session up it is simply not sent.
    if (step.send) this.deps.send(conv, step.send);
    if (this.senders.size > 0) this.startTicker();
    else this.stopTicker();
  }

  private tick(): void {
    const now = this.now();
    for (const [conv, state] of [...this.senders]) this.apply(conv, typingTick(state, now));
  }

  private startTicker(): void {
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
  }

  private stopTicker(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private refresh(): void {
    const now = this.now();
    const shown = new Set<string>();
    for (const [conv, seen] of this.seen) {
      if (isTypingShown(seen, now, this.deps.policy(conv))) shown.add(conv);
      else if (!this.hideTimers.has(conv)) this.seen.delete(conv);
    }
    const before = this.shown.get();
    if (shown.size !== before.size || [...shown].some((c) => !before.has(c))) this.shown.set(shown);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}
