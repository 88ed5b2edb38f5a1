/**
 * The reactions under a message: one chip per emoji with its count, in the fixed order. Each
 * chip names who reacted (its accessible name and tooltip); pressing it sets or clears my
 * reaction with that emoji (`pc-message-action`).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { reactionSummary } from '../../../shared/messaging/index';
import type { StoredMessage } from '../db/schema';
import { formatCount } from '../format/format';
import { joinParts } from '../l10n/join-parts';
import type { MessageActionDetail } from './action-events';

/** `me`: this account's username key; `nameOf`: a reactor's display name (not mine). */
export function reactionChips(m: StoredMessage, me: string, nameOf: (who: string) => string): TemplateResult | typeof nothing {
  if (!m.reactions || m.recalledAt !== undefined) return nothing;
  const summary = reactionSummary(m, me);
  if (summary.length === 0) return nothing;
  const you = msg('You', { id: 'message-from-me', desc: 'Sender shown over my own messages' });
  return html`<span class="reactions">${summary.map((r) => {
    const names = joinParts(r.reactors.map((who) => (who === me ? you : nameOf(who))));
    const emoji = r.emoji;
    const count = formatCount(r.count);
    const label = msg(str`${emoji} ${count}: ${names}`, { id: 'reaction-chip', desc: 'A reaction under a message: the emoji, how many chose it, and who' });
    const press = (e: Event): void => {
      e.currentTarget?.dispatchEvent(new CustomEvent<MessageActionDetail>('pc-message-action', { detail: { action: 'react', message: m, emoji }, bubbles: true, composed: true }));
    };
    return html`<button class="chip ${r.mine ? 'mine' : ''}" aria-pressed=${r.mine ? 'true' : 'false'} title=${names} aria-label=${label} @click=${press}><span class="pill">${emoji} ${count}</span></button>`;
  })}</span>`;
}
