import { html, type TemplateResult } from 'lit';
import { linkParts } from '../../../shared/messaging/link-text';

/**
 * A message's text with its web addresses as links (shared/messaging/link-text.ts decides which).
 * Lit writes every part as text, never as markup, so a message cannot inject HTML. A link opens in
 * a new tab with no access back to this app (`noopener`) and no Referer (`noreferrer`); nothing
 * ever fetches it for a preview. It takes the bubble's colour, underlined (readable on both bubbles
 * in both themes), and needs no style rules from the component that shows it.
 */
export function messageText(text: string): TemplateResult | string {
  let shown = rendered.get(text);
  if (shown === undefined) {
    const parts = linkParts(text);
    // Most messages have no address: the plain string is the cheapest thing for Lit to keep.
    shown = parts.every((p) => p.type === 'text')
      ? text
      : html`${parts.map((p) =>
          p.type === 'link' ? html`<a href=${p.href} target="_blank" rel="noopener noreferrer" style="color:inherit;text-decoration:underline">${p.text}</a>` : p.text,
        )}`;
    if (rendered.size >= RENDERED_CAP) rendered.clear();
    rendered.set(text, shown);
  }
  return shown;
}

/**
 * What each text was rendered as: the list renders every shown message again on each update, and
 * a message's text never changes under the same string, so it is tokenised once (bounded).
 */
const rendered = new Map<string, TemplateResult | string>();
const RENDERED_CAP = 2000;
