/**
 * The events of the message actions, from the message list (its menu, its reaction chips, its
 * quotes) up to the conversation, which runs them (./action-controller.ts).
 */
import type { ReactionEmoji } from '../../../shared/messaging/index';
import type { StoredMessage } from '../db/schema';

export type MessageAction = 'reply' | 'react' | 'edit' | 'delete' | 'recall';

export interface MessageActionDetail {
  action: MessageAction;
  message: StoredMessage;
  /** For `react`: the emoji pressed (my reaction is set to it, or cleared when it already was). */
  emoji?: ReactionEmoji;
}

/** Scroll to a message and highlight it briefly (a reply's quote was pressed). */
export interface RevealMessageDetail {
  id: string;
}

declare global {
  interface HTMLElementEventMap {
    'pc-message-action': CustomEvent<MessageActionDetail>;
    'pc-reveal-message': CustomEvent<RevealMessageDetail>;
    /** The message menu closed without an action (Escape, or its button again). */
    'pc-menu-close': CustomEvent<void>;
  }
}
