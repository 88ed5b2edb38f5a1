/**
 * The conversation's side of "typing…": the composer's `pc-draft-input` events (they bubble to
 * the conversation) drive the sender, a sent message (`pc-send`) or leaving the conversation
 * stops it, and `shown` says whether the contact is typing now (the header draws it). The same
 * controller serves two-person conversations (the receipts' TypingService, keyed by contact)
 * and groups (web/src/groups/group-typing.ts, keyed by group id).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { TypingService } from './typing-service';

/** The composer's draft changed by the person's typing; `empty`: the box is now empty. */
export interface DraftInputDetail {
  empty: boolean;
}

export class TypingController implements ReactiveController {
  /** The conversation the sender side runs for ('' = none). */
  private conv = '';
  private unsub: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The typing service (arrives through a context, so it may be missing at first). */
    private readonly service: () => TypingService | undefined,
    /** The key of the open conversation ('' = none). */
    private readonly key: () => string,
  ) {
    host.addController(this);
  }

  /** The contact of the open conversation is typing now. */
  get shown(): boolean {
    const svc = this.service();
    const key = this.key();
    return !!svc && !!key && svc.shown.get().has(key);
  }

  hostConnected(): void {
    this.host.addEventListener('pc-draft-input', this.onDraft);
    this.host.addEventListener('pc-send', this.onSend);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('pc-draft-input', this.onDraft);
    this.host.removeEventListener('pc-send', this.onSend);
    this.unsub?.();
    this.unsub = undefined;
    this.leave();
  }

  hostUpdate(): void {
    // The service arrives through a context: subscribe once it is there.
    const svc = this.service();
    if (svc && !this.unsub) this.unsub = svc.shown.subscribe(() => this.host.requestUpdate());
    const conv = this.key();
    if (conv !== this.conv) {
      this.leave();
      this.conv = conv;
    }
  }

  private leave(): void {
    if (this.conv) this.service()?.stop(this.conv);
  }

  private readonly onDraft = (e: CustomEvent<DraftInputDetail>): void => {
    if (this.conv) this.service()?.input(this.conv, e.detail.empty);
  };

  private readonly onSend = (): void => {
    if (this.conv) this.service()?.sent(this.conv);
  };
}

declare global {
  interface HTMLElementEventMap {
    'pc-draft-input': CustomEvent<DraftInputDetail>;
  }
}
