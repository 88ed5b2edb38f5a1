import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import type { GroupDelivery } from './group-screen-model';
import { deviceSettings } from '../settings/settings-store';

/**
 * The delivery state of one outgoing group message, "Delivered to 3 of 5": a button that shows
 * (and hides) who has it and who does not yet, right under it, so it works by touch and by
 * keyboard alike (a hover tooltip would not).
 */
@customElement('pc-group-delivery')
@localized()
export class PcGroupDelivery extends LitElement {
  static override styles = [
    theme,
    css`
      /* The bubble's colours and size, not the theme's page text colour (dark on a blue bubble). */
      :host {
        display: inline;
        font-size: inherit;
        color: inherit;
      }
      button {
        font-size: inherit;
        color: inherit;
        background: transparent;
        border: none;
        padding: 0 2px;
        /* A 44 px tall target that does not make the line under the bubble taller. */
        min-height: 44px;
        min-width: 0;
        margin: -14px 0;
        text-decoration: underline dotted;
        text-underline-offset: 3px;
      }
      .who {
        display: block;
        text-align: left;
        margin: 6px 0 2px;
        padding: 6px 8px;
        border-radius: 8px;
        background: rgb(0 0 0 / 0.18);
        line-height: 1.4;
        white-space: normal;
        overflow-wrap: anywhere;
      }
      .who strong {
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) delivery: GroupDelivery = { delivered: [], waiting: [] };
  @state() private open = false;
  /** "Read by" shows only while read receipts are on here (off: neither sent nor shown). */
  @state() private showRead = deviceSettings.get().readReceipts;
  private unsub: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsub = deviceSettings.subscribe((s) => (this.showRead = s.readReceipts));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsub?.();
  }

  override render() {
    const d = this.delivery;
    const total = d.delivered.length + d.waiting.length;
    const delivered = d.delivered.length;
    const read = this.showRead ? (d.read ?? []) : [];
    const readCount = read.length;
    const label =
      total === 0
        ? msg('Sent')
        : readCount > 0
          ? msg(str`Read by ${readCount} of ${total}`, { id: 'group-read-by', desc: 'Under my group message once members read it' })
          : delivered === 0
            ? msg('Sent, not delivered yet')
            : msg(str`Delivered to ${delivered} of ${total}`);
    const names = (list: GroupDelivery['delivered']) => list.map((m) => m.username).join(msg(', ', { id: 'part-separator', desc: 'Between the parts of a list read out as one line' }));
    return html`<button class="state" aria-expanded=${this.open ? 'true' : 'false'} ?disabled=${total === 0} @click=${() => (this.open = !this.open)}>
        ${label}</button
      >${this.open
        ? html`<span class="who" role="note">
            ${read.length ? html`<span><strong>${msg('Read:', { id: 'group-read-who', desc: 'Before the names of members who read my group message' })}</strong> ${names(read)}</span><br />` : nothing}
            ${d.delivered.length ? html`<span><strong>${msg('Has it:')}</strong> ${names(d.delivered)}</span><br />` : nothing}
            ${d.waiting.length ? html`<span><strong>${msg('Not yet:')}</strong> ${names(d.waiting)}</span>` : nothing}
          </span>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-group-delivery': PcGroupDelivery;
  }
}
