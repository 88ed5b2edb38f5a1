/**
 * A reply's quote above its text: who and what it quotes, from this device's own copy of the
 * quoted message when it is loaded (shared/messaging `resolveQuote`), else the excerpt the reply
 * carried; "deleted" once the quoted message was deleted for everyone. Pressing it fires
 * `pc-reveal-message` (the conversation scrolls to the quoted message and highlights it).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { msg } from '@lit/localize';
import { resolveQuote } from '../../../shared/messaging/index';
import type { StoredMessage } from '../db/schema';
import type { RevealMessageDetail } from './action-events';

/** The display name over a message: "You" for mine. */
export function authorName(m: StoredMessage): string {
  return m.outgoing ? msg('You', { id: 'message-from-me', desc: 'Sender shown over my own messages' }) : m.from;
}

export function replyQuote(m: StoredMessage, quoted: StoredMessage | undefined): TemplateResult | typeof nothing {
  if (!m.reply || m.recalledAt !== undefined) return nothing;
  const view = resolveQuote({ conv: m.conv, reply: m.reply }, quoted, authorName);
  const reveal = (e: Event): void => {
    e.currentTarget?.dispatchEvent(new CustomEvent<RevealMessageDetail>('pc-reveal-message', { detail: { id: view.id }, bubbles: true, composed: true }));
  };
  if (view.state === 'deleted') {
    return html`<button class="quote deleted" @click=${reveal}>${msg('Reply to a deleted message')}</button>`;
  }
  const who = view.author;
  return html`<button class="quote" @click=${reveal}
    ><span class="visually-hidden">${msg('In reply to', { id: 'reply-quote-prefix', desc: 'Read by screen readers before the quoted author and text of a reply' })} </span
    ><span class="quote-author">${who}</span> <span class="quote-text">${view.excerpt}</span></button
  >`;
}
