/**
 * The message actions of the open conversation, for pc-conversation and pc-group-conversation:
 * what the composer is doing (replying to a message, or editing one of mine), the actions chosen
 * in the message list, and the messages deleted for me while shown. Sending, editing, reacting and
 * recalling go to the conversation's {@link MessageActionTarget} (a contact's session, or the
 * group's signed messages); delete for me is local, the same for both (ChatService.actions).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { makeReplyRef } from '../../../shared/messaging/index';
import type { ChatService } from '../state/chat-service';
import type { StoredMessage } from '../db/schema';
import type { ComposeContext } from '../components/pc-reply-bar';
import type { MessageActionDetail } from './action-events';
import type { ReactionEmoji } from '../../../shared/messaging/index';
import { authorName } from './reply-quote';

/** Where the open conversation's messages and changes go. */
export interface MessageActionTarget {
  /** A new message, a reply when `replyTo` is set. */
  send(text: string, replyTo: StoredMessage | null): Promise<void>;
  edit(message: StoredMessage, text: string): Promise<void>;
  react(message: StoredMessage, emoji: ReactionEmoji): Promise<void>;
  recall(message: StoredMessage): Promise<void>;
}

/** A two-person conversation's target: the contact's session (ChatService.send and .actions). */
export function contactTarget(svc: ChatService, peerName: string): MessageActionTarget {
  return {
    send: (text, replyTo) => svc.send(peerName, text, replyTo ? makeReplyRef(replyTo, authorName(replyTo)) : undefined),
    edit: (m, text) => svc.actions.edit(m, text),
    react: (m, emoji) => svc.actions.react(m, emoji),
    recall: (m) => svc.actions.recall(m),
  };
}

export interface ActionControllerHooks {
  /** Where this conversation's actions go; null while there is no service. */
  target(): MessageActionTarget | null;
  /** Put this text in the composer (editing starts with the message's text). */
  draft(text: string): void;
  /** Move focus into the composer. */
  focusComposer(): void;
  /** An action failed: show it (a PeerchatError, or anything else). */
  failed(err: unknown): void;
}

export class ActionController implements ReactiveController {
  /** The message the next send replies to. */
  replyTo: StoredMessage | null = null;
  /** My message the composer is editing (the next send replaces its text). */
  editing: StoredMessage | null = null;
  /** Deleted for me while the conversation was open (the list stops showing them). */
  private readonly removed = new Set<string>();
  private unsub: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly service: () => ChatService | undefined,
    private readonly hooks: ActionControllerHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsub ??= this.service()?.actions.onRemoved((_conv, id) => {
      this.removed.add(id);
      if (this.replyTo?.id === id || this.editing?.id === id) this.cancel();
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.unsub?.();
    this.unsub = undefined;
  }

  /** Another conversation opened: no reply or edit carries over. */
  reset(): void {
    this.replyTo = null;
    this.editing = null;
  }

  /** What the composer shows above the box. */
  context(): ComposeContext | null {
    if (this.editing) return { kind: 'edit' };
    const r = this.replyTo;
    return r ? { kind: 'reply', author: authorName(r), excerpt: makeReplyRef(r, authorName(r)).excerpt } : null;
  }

  /** The messages to show: those deleted for me while open are left out. */
  visible(messages: StoredMessage[]): StoredMessage[] {
    return this.removed.size === 0 ? messages : messages.filter((m) => !this.removed.has(m.id));
  }

  /** Stops replying or editing (the composer's cancel, or Escape). An edit's text leaves the box. */
  cancel(): void {
    if (this.editing) this.hooks.draft('');
    this.reset();
    this.host.requestUpdate();
  }

  /**
   * The composer's send: an edit of my message, or a new message (a reply when one is chosen).
   * The reply or edit is taken at once, so a next message typed while this one is being stored
   * is a new message; if this one fails, it is put back (the text stays in the box too).
   */
  async submit(text: string): Promise<void> {
    const target = this.hooks.target();
    if (!target) return;
    const { editing, replyTo } = this;
    this.reset();
    this.host.requestUpdate();
    try {
      if (editing) await target.edit(editing, text);
      else await target.send(text, replyTo);
    } catch (err) {
      if (!this.editing && !this.replyTo) Object.assign(this, { editing, replyTo });
      this.host.requestUpdate();
      throw err;
    }
  }

  /** An action chosen on a message (its menu or a reaction chip). */
  readonly onAction = (e: CustomEvent<MessageActionDetail>): void => {
    const svc = this.service();
    const target = this.hooks.target();
    const { action, message, emoji } = e.detail;
    if (!svc || !target) return;
    const failed = (err: unknown): void => this.hooks.failed(err);
    switch (action) {
      case 'reply':
        this.editing = null;
        this.replyTo = message;
        this.hooks.focusComposer();
        break;
      case 'edit':
        this.replyTo = null;
        this.editing = message;
        this.hooks.draft(message.text);
        break;
      case 'react':
        if (emoji) void target.react(message, emoji).catch(failed);
        break;
      case 'delete':
        void svc.actions.deleteForMe(message).catch(failed);
        break;
      case 'recall':
        void target.recall(message).catch(failed);
        break;
    }
    this.host.requestUpdate();
  };
}
