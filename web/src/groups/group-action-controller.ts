/**
 * The message actions of an open group conversation, for pc-group-conversation: the same menu,
 * reaction chips, reply quotes and reply/edit bar as a two-person conversation
 * (web/src/everyday/), run through the group service (reply, react, edit and recall are signed
 * control messages to the whole group: group-acts.ts). Delete for me is local only, as in a
 * two-person conversation (ChatService.actions).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { makeReplyRef } from '../../../shared/messaging/index';
import type { ChatService } from '../state/chat-service';
import type { StoredMessage } from '../db/schema';
import type { ComposeContext } from '../components/pc-reply-bar';
import type { MessageActionDetail } from '../everyday/action-events';
import { authorName } from '../everyday/reply-quote';
import { groupActionsOf } from './group-actions-of';

export interface GroupActionHooks {
  /** The group's id. */
  groupId(): string;
  /** Put this text in the composer (editing starts with the message's text). */
  draft(text: string): void;
  focusComposer(): void;
  /** An action failed: show it. */
  failed(err: unknown): void;
}

export class GroupActionController implements ReactiveController {
  replyTo: StoredMessage | null = null;
  editing: StoredMessage | null = null;
  /** Deleted for me while the conversation was open (the list stops showing them). */
  private readonly removed = new Set<string>();
  private unsub: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly service: () => ChatService | undefined,
    private readonly hooks: GroupActionHooks,
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

  reset(): void {
    this.replyTo = null;
    this.editing = null;
  }

  context(): ComposeContext | null {
    if (this.editing) return { kind: 'edit' };
    const r = this.replyTo;
    return r ? { kind: 'reply', author: authorName(r), excerpt: makeReplyRef(r, authorName(r)).excerpt } : null;
  }

  visible(messages: StoredMessage[]): StoredMessage[] {
    return this.removed.size === 0 ? messages : messages.filter((m) => !this.removed.has(m.id));
  }

  cancel(): void {
    if (this.editing) this.hooks.draft('');
    this.reset();
    this.host.requestUpdate();
  }

  /** The composer's send: an edit of my message, or a new message (a reply when one is chosen). */
  async submit(text: string): Promise<void> {
    const groups = groupActionsOf(this.service());
    if (!groups) throw new Error('no group service');
    const { editing, replyTo } = this;
    this.reset();
    this.host.requestUpdate();
    try {
      if (editing) await groups.edit(this.hooks.groupId(), editing.id, text);
      else await groups.sendText(this.hooks.groupId(), text, replyTo?.id);
    } catch (err) {
      if (!this.editing && !this.replyTo) Object.assign(this, { editing, replyTo });
      this.host.requestUpdate();
      throw err;
    }
  }

  readonly onAction = (e: CustomEvent<MessageActionDetail>): void => {
    const svc = this.service();
    const groups = groupActionsOf(svc);
    const { action, message, emoji } = e.detail;
    if (!svc || !groups) return;
    const gid = this.hooks.groupId();
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
        if (emoji) void groups.react(gid, message.id, emoji).catch(failed);
        break;
      case 'delete':
        void svc.actions.deleteForMe(message).catch(failed);
        break;
      case 'recall':
        void groups.recall(gid, message.id).catch(failed);
        break;
    }
    this.host.requestUpdate();
  };
}
