import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { theme } from '../styles/theme';
import { messageListStyles } from './pc-message-list-styles';
import type { StoredMessage } from '../db/schema';
import { dayKey, formatCount, formatDayHeading, formatTime } from '../format/format';
import { activeLocale } from '../l10n/active-locale';
import { plural } from '../l10n/plural';
import { newIncoming, type AnnounceDetail } from '../a11y/announce';
import './pc-file-card';
import { messageText } from './message-text';
import type { GroupView } from '../groups/groups-contract';
import { groupDelivery, lateArrivals, linesOf, startsRun, withLines, type ConversationEntry } from '../groups/group-screen-model';
import { changeLineText } from '../groups/change-line-text';
import '../groups/pc-group-delivery';
import './pc-message-menu';
import { canEditOwn, canRecallOwn } from '../../../shared/messaging/index';
import { replyQuote } from '../everyday/reply-quote';
import { reactionChips } from '../everyday/reaction-chips';
import type { MessageActionDetail } from '../everyday/action-events';
import { shownState, type ShownState } from '../everyday/receipts-rules';
import { StoreController } from '../state/store-controller';
import { settingsContext } from '../settings/settings-context';
import type { DeviceSettings } from '../settings/settings-model';

/** What a message's item shows of its time: the same for a message object every render. */
interface TimeView {
  /** The language the time was written in (a switch writes it again). */
  locale: string;
  day: string;
  iso: string;
  time: string;
}

/**
 * Day keys and times per message object (stored messages are replaced, never changed, when
 * their state moves): a list re-renders on every new message, and formatting hundreds of
 * dates with Intl each time would sit in front of drawing the new one.
 */
const timeViews = new WeakMap<StoredMessage, TimeView>();

function timeView(m: StoredMessage): TimeView {
  let v = timeViews.get(m);
  if (!v || v.locale !== activeLocale()) {
    v = { locale: activeLocale(), day: dayKey(m.ts), iso: new Date(m.ts).toISOString(), time: formatTime(m.ts) };
    timeViews.set(m, v);
  }
  return v;
}

function stateLabel(state: ShownState): string {
  switch (state) {
    case 'waiting':
      return msg('Waiting', { id: 'message-waiting', desc: 'State of a sent message not yet handed to the contact' });
    case 'sent':
      return msg('Sent', { id: 'message-sent', desc: 'State of a message that left this device' });
    case 'delivered':
      return msg('Delivered', { id: 'message-delivered', desc: 'State of a message the contact has received' });
    case 'read':
      return msg('Read', { id: 'message-read', desc: 'State of a message the contact has seen (read receipt), after Delivered' });
    case 'received':
      return '';
  }
}

/**
 * The scrolling list of one conversation, newest at the bottom. Scrolling near the top asks
 * for older messages with `pc-load-older`; the view keeps its place when they are prepended,
 * and jumps to the end when the person's own new message (text or file) arrives at the bottom.
 */
@customElement('pc-message-list')
@localized()
export class PcMessageList extends LitElement {
  static override styles = [theme, messageListStyles];

  @property({ attribute: false }) messages: readonly StoredMessage[] = [];
  @property({ type: Boolean }) loading = false;
  @property({ type: Boolean }) hasOlder = false;
  @property() peerName = '';
  /** A message to scroll into view and highlight (opened from search). */
  @property() highlightId = '';
  /**
   * A stranger's message request: web addresses stay plain text and there is no message menu
   * (nothing goes back to a stranger before the person accepts).
   */
  @property({ type: Boolean }) plainText = false;
  /**
   * Group mode: an incoming message's author shows only when the author changes, an outgoing
   * one says how many members have it, and a message that arrived late is marked new.
   */
  @property({ attribute: false }) group: GroupView | null = null;
  /** This account (lowercased), for the group's delivery counts. */
  @property() me = '';
  /** The message whose actions menu is open ('' for none). */
  @state() private menuFor = '';
  /** "Read" shows only while this device shows read receipts (web/src/settings). */
  private readonly settings = new StoreController<DeviceSettings>(this, settingsContext);
  /** Group mode: messages that arrived after later ones were shown. */
  private late = new Set<string>();
  @query('ol') private list?: HTMLOListElement;
  /** What the polite live region says now: the newest news, not the list (see web/src/a11y/announce.ts). */
  @state() private announcement = '';
  /** The message the live region spoke of last. */
  private announcedId = '';
  /** Ids shown at the last render, once the conversation's history is in; null until then. */
  private seenIds: ReadonlySet<string> | null = null;
  /** The history is being loaded: when it is done, what is shown is history, not news. */
  private sawLoading = false;

  private stickToBottom = true;
  /** scrollHeight before older messages were prepended; -1 when none are being prepended. */
  private prevHeight = -1;
  private prevFirstId: string | undefined;
  private prevLastId: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('scroll', this.onScroll, { passive: true });
    // Moved in the page: observe the list again (updated() does it for a new list).
    if (this.list) {
      this.resizes.observe(this.list);
      this.observed = this.list;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('scroll', this.onScroll);
    this.resizes.disconnect();
    this.observed = undefined;
  }

  /**
   * Items grow after they are drawn (a file card loads its transfer, an image arrives): while the
   * person is at the bottom, stay there.
   */
  private readonly resizes = new ResizeObserver(() => {
    if (this.stickToBottom) this.scrollTop = this.scrollHeight;
  });
  private observed: Element | undefined;

  private readonly onScroll = (): void => {
    this.stickToBottom = this.scrollHeight - this.scrollTop - this.clientHeight < 40;
    if (this.scrollTop < 120 && this.hasOlder && !this.loading) {
      this.dispatchEvent(new CustomEvent<void>('pc-load-older', { bubbles: true, composed: true }));
    }
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.announceNews(changed);
    if (!changed.has('messages')) return;
    if (changed.has('group') && changed.get('group')?.id !== this.group?.id) this.late = new Set();
    if (this.group) for (const id of lateArrivals(changed.get('messages') ?? [], this.messages)) this.late.add(id);
    const first = this.messages[0]?.id;
    // Older messages about to be prepended: remember the height to keep the reading position.
    // Read only then: reading it forces a layout, which would otherwise sit in front of every
    // new message being drawn.
    this.prevHeight = this.prevFirstId && first !== this.prevFirstId && !this.stickToBottom ? this.scrollHeight : -1;
    const last = this.messages.at(-1);
    // Just sent (or offered a file): show it, wherever the person had scrolled to.
    if (last && this.prevLastId !== undefined && last.id !== this.prevLastId && last.outgoing) this.stickToBottom = true;
    this.prevLastId = last?.id;
  }

  /** Puts the newest incoming message in the live region; never the history a conversation opens with. */
  private announceNews(changed: PropertyValues<this>): void {
    if (changed.has('peerName')) {
      this.seenIds = null;
      this.sawLoading = false;
      this.announcement = '';
    }
    if (this.loading) this.sawLoading = true;
    if (!changed.has('messages') && !changed.has('loading')) return;
    if (this.seenIds === null) {
      if (this.messages.length > 0 || (this.sawLoading && !this.loading)) this.seenIds = new Set(this.messages.map((m) => m.id));
      return;
    }
    const fresh = newIncoming(this.seenIds, this.messages);
    this.seenIds = new Set(this.messages.map((m) => m.id));
    // A message deleted for everyone leaves the live region too (its text is gone everywhere).
    if (this.announcedId && this.messages.find((m) => m.id === this.announcedId)?.recalledAt !== undefined) this.announcement = '';
    if (!fresh) return;
    this.announcedId = fresh.id;
    this.announcement = fresh.fileId ? msg(str`${fresh.from} sent a file`) : msg(str`Message from ${fresh.from}: ${fresh.text}`);
  }

  /** A file card's news (its transfer passed a quarter, or is done) goes to the same live region. */
  private readonly onAnnounce = (e: CustomEvent<AnnounceDetail>): void => {
    e.stopPropagation();
    this.announcement = e.detail.text;
  };

  protected override updated(changed: PropertyValues<this>): void {
    if (this.list !== this.observed) {
      if (this.observed) this.resizes.unobserve(this.observed);
      if (this.list) this.resizes.observe(this.list);
      this.observed = this.list;
    }
    if (changed.has('highlightId') || changed.has('messages')) this.revealHighlight();
    if (!changed.has('messages')) return;
    const firstId = this.messages[0]?.id;
    if (this.prevHeight >= 0) {
      // Older messages were prepended: keep what the person was reading in place.
      this.scrollTop += this.scrollHeight - this.prevHeight;
      this.prevHeight = -1;
    }
    this.prevFirstId = firstId;
    // In the next frame, whose layout is needed for painting anyway: reading sizes here would
    // force one more layout in front of every new message being drawn.
    requestAnimationFrame(() => {
      if (this.stickToBottom) this.scrollTop = this.scrollHeight;
      // A short history may not fill the view, so no scroll event would ever ask for more.
      if (this.hasOlder && !this.loading && this.scrollHeight <= this.clientHeight) {
        this.dispatchEvent(new CustomEvent<void>('pc-load-older', { bubbles: true, composed: true }));
      }
    });
  }

  private revealedId = '';

  /** Scrolls the highlighted message into view once, when it is drawn. */
  private revealHighlight(): void {
    if (!this.highlightId) this.revealedId = ''; // the same message may be revealed again
    if (!this.highlightId || this.highlightId === this.revealedId) return;
    const li = this.renderRoot.querySelector(`li[data-id="${CSS.escape(this.highlightId)}"]`);
    if (!li) return;
    this.revealedId = this.highlightId;
    this.stickToBottom = false;
    li.scrollIntoView({ block: 'center' });
  }

  /** Always in the page, so that a change of its text is announced (a region added with its text may not be). */
  private liveRegion() {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">${this.announcement}</div>`;
  }

  override render() {
    // One template around both: the live region stays the same node when the first message comes.
    return html`${this.liveRegion()}${this.content()}`;
  }

  private content() {
    const group = this.group;
    const entries = group ? withLines(this.messages, linesOf(group), this.hasOlder) : this.messages.map((m): ConversationEntry => ({ msg: m }));
    if (entries.length === 0) {
      return this.loading
        ? html`<p class="loading" role="status">${msg('Loading messages…')}</p>`
        : html`<p class="empty">${msg(str`No messages yet. Say hello to ${this.peerName}!`)}</p>`;
    }
    const now = Date.now();
    let lastDay = '';
    const items: Array<{ key: string; day?: number; msg?: StoredMessage; line?: string; author?: boolean }> = [];
    entries.forEach((e, i) => {
      const ts = e.msg?.ts ?? e.line?.ts ?? 0;
      const dk = e.msg ? timeView(e.msg).day : dayKey(ts);
      if (dk !== lastDay) items.push({ key: `day-${dk}`, day: ts });
      lastDay = dk;
      if (e.line) items.push({ key: `line-${e.line.id}`, line: changeLineText(e.line, this.me) });
      else items.push({ key: e.msg.id, msg: e.msg, author: !group || e.msg.outgoing || startsRun(entries, i, (x) => timeView(x).day) });
    });
    return html`
      ${this.loading ? html`<p class="loading" role="status">${msg('Loading older messages…')}</p>` : nothing}
      <ol aria-label=${msg(str`Messages with ${this.peerName}`)} @pc-announce=${this.onAnnounce} @pc-message-action=${this.closeMenu} @pc-menu-close=${this.closeMenu}>
        ${repeat(
          items,
          (i) => i.key,
          (i) =>
            i.line !== undefined
              ? html`<li class="note">${i.line}</li>`
              : i.msg?.kind
              ? html`<li class="note" data-id=${i.msg.id}>${noteText(i.msg)}</li>`
              : i.msg
              ? this.messageItem(i.msg, !!i.author)
              : html`<li class="day">${formatDayHeading(i.day ?? now, now)}</li>`,
        )}
      </ol>
    `;
  }

  /**
   * One message: who wrote it, its text (or file card, or "deleted"), time and state; then its
   * reply quote (drawn above the text), reactions and actions button; and its menu when open.
   */
  private messageItem(m: StoredMessage, author: boolean) {
    const group = this.group;
    // In a group, members only (a former member's copy is read-only).
    const actions = !this.plainText && (!group || group.me.kind === 'member');
    const open = this.menuFor === m.id;
    const side = m.outgoing ? 'out' : 'in';
    return html`<li class="msg ${side} ${m.id === this.highlightId ? 'highlight' : ''} ${actions ? 'has-more' : ''} ${open ? 'menu-open' : ''}" data-id=${m.id} data-state=${m.state}>
        ${author ? html`<span class="from">${m.outgoing ? msg('You', { id: 'message-from-me', desc: 'Sender shown over my own messages' }) : m.from}</span>` : nothing}${m.recalledAt !== undefined
          ? html`<span class="text deleted">${msg('This message was deleted')}</span>`
          : m.fileId
          ? html`<pc-file-card .fileId=${m.fileId}></pc-file-card>`
          : html`<span class="text">${this.plainText ? m.text : messageText(m.text)}</span>`}<span class="meta"
          ><time datetime=${timeView(m).iso}>${timeView(m).time}</time>${this.late.has(m.id)
            ? html`<span class="late">${msg('New', { id: 'message-late', desc: 'Mark on a group message that arrived after later ones were shown' })}</span>`
            : nothing}${group && m.outgoing && m.state !== 'waiting'
            ? html` · <pc-group-delivery .delivery=${groupDelivery(m, group.members, this.me)}></pc-group-delivery>`
            : m.outgoing && !m.fileId
            ? html` · <span class="state" title=${deliveredTitle(m)}>${stateLabel(shownState(m, this.settings.value?.readReceipts ?? true))}</span>`
            : nothing}${m.editedAt !== undefined && m.recalledAt === undefined
            ? html` · <span class="edited">${msg('edited', { id: 'message-edited', desc: 'Mark on a message whose text was changed after it was sent' })}</span>`
            : nothing}</span
        >${replyQuote(m, m.reply ? this.messages.find((x) => x.id === m.reply?.id) : undefined)}${reactionChips(m, this.me, (who) =>
          who === m.conv ? this.peerName : who,
        )}${actions
          ? html`<button class="more" aria-label=${msg('Message actions')} aria-expanded=${open ? 'true' : 'false'} @click=${() => this.toggleMenu(m.id)}>⋯</button>`
          : nothing}
      </li>${open
        ? html`<li class="menu-row ${side}">
            <pc-message-menu
              .message=${m}
              .mine=${m.reactions?.[this.me]?.emoji ?? ''}
              ?canEdit=${canEditOwn(m, this.me, Date.now())}
              ?canRecall=${!m.fileId && canRecallOwn(m, this.me, Date.now())}
            ></pc-message-menu>
          </li>`
        : nothing}`;
  }

  private toggleMenu(id: string): void {
    this.menuFor = this.menuFor === id ? '' : id;
  }

  /**
   * The menu closed (an action was chosen, or Escape). After Escape or a reaction focus goes back
   * to its message's button; Reply and Edit move it to the composer, a deleted message is gone.
   */
  private readonly closeMenu = (e: Event): void => {
    const id = this.menuFor;
    this.menuFor = '';
    const action = (e as CustomEvent<MessageActionDetail | undefined>).detail?.action;
    if (action && action !== 'react') return;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`li[data-id="${CSS.escape(id)}"] .more`)?.focus());
  };
}

/** A quiet line about the contact's account ("bob added a device: Firefox on Linux"). */
function noteText(m: StoredMessage): string {
  const who = m.from;
  const device = m.text;
  return m.kind === 'device-added' ? msg(str`${who} added a device: ${device}`) : msg(str`${who} removed a device: ${device}`);
}

/** Which of the contact's devices have the message, for the state's tooltip. */
function deliveredTitle(m: StoredMessage): string {
  const n = m.deliveredTo?.length ?? 0;
  if (m.state !== 'delivered' || n === 0) return '';
  const count = formatCount(n);
  return plural(n, { one: () => msg(str`Stored on ${count} device of the contact`), other: () => msg(str`Stored on ${count} devices of the contact`) });
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-message-list': PcMessageList;
  }
  interface HTMLElementEventMap {
    'pc-load-older': CustomEvent<void>;
    /** News for screen readers (a file card's transfer passed a quarter, or is done). */
    'pc-announce': CustomEvent<AnnounceDetail>;
  }
}
