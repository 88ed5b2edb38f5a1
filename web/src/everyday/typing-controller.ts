/**
 * The conversation's side of "typing…": the composer's `pc-draft-input` events (they bubble to
 * the conversation) drive the sender, a sent message (`pc-send`) or leaving the conversation
 * stops it, and `shown` says whether the contact is typing now (the header draws it).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { usernameKey } from '../../../shared/index';
import type { ChatService } from '../state/chat-service';

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
    private readonly service: () => ChatService | undefined,
    private readonly peerName: () => string,
  ) {
    host.addController(this);
  }

  /** The contact of the open conversation is typing now. */
  get shown(): boolean {
    const svc = this.service();
    const peer = this.peerName();
    return !!svc && !!peer && svc.receipts.typing.shown.get().has(usernameKey(peer));
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
    if (svc && !this.unsub) this.unsub = svc.receipts.typing.shown.subscribe(() => this.host.requestUpdate());
    const peer = this.peerName();
    const conv = peer ? usernameKey(peer) : '';
    if (conv !== this.conv) {
      this.leave();
      this.conv = conv;
    }
  }

  private leave(): void {
    if (this.conv) this.service()?.receipts.typing.stop(this.conv);
  }

  private readonly onDraft = (e: CustomEvent<DraftInputDetail>): void => {
    if (this.conv) this.service()?.receipts.typing.input(this.conv, e.detail.empty);
  };

  private readonly onSend = (): void => this.leave();
}

declare global {
  interface HTMLElementEventMap {
    'pc-draft-input': CustomEvent<DraftInputDetail>;
  }
}
