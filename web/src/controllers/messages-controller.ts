import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatService } from '../state/chat-service';
import type { ChatDb, StoredMessage } from '../db/schema';
import { loadPage, PAGE_SIZE } from '../db/history';
import { loadThrough } from '../search/load-through';

/**
 * The messages of one open conversation: the newest page first, older pages on demand,
 * and live updates from the service merged in by id (so nothing ever shows twice).
 */
export class MessagesController implements ReactiveController {
  messages: StoredMessage[] = [];
  loading = false;
  /** False once the oldest message has been loaded. */
  hasOlder = true;
  private conv: string | null = null;
  private unsub: (() => void) | undefined;
  private generation = 0;
  /** The load of the conversation being shown (reveal waits for it). */
  private showing: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly service: () => ChatService | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostDisconnected(): void {
    this.unsub?.();
    this.unsub = undefined;
  }

  /** Switches to a conversation and loads its newest page. */
  show(conv: string | null): Promise<void> {
    if (conv === this.conv) return this.showing;
    this.showing = this.showNow(conv);
    return this.showing;
  }

  /**
   * Makes sure message `id` of the conversation shown is loaded (opening a search result): it,
   * a few before it, and everything after. Returns whether it is there.
   */
  async reveal(id: string): Promise<boolean> {
    await this.showing;
    if (this.messages.some((m) => m.id === id)) return true;
    const db = this.service()?.database;
    if (!db || !this.conv) return false;
    const gen = this.generation;
    const loaded = await loadThrough(db, id, this.messages[0]).catch((err: unknown) => {
      console.warn('Peerchat: the message could not be read from this device', err);
      return null;
    });
    if (!loaded || gen !== this.generation || loaded.messages[0]?.conv !== this.conv) return false;
    this.merge(loaded.messages);
    this.hasOlder = loaded.hasOlder;
    this.host.requestUpdate();
    return true;
  }

  private async showNow(conv: string | null): Promise<void> {
    this.conv = conv;
    this.messages = [];
    this.hasOlder = true;
    this.subscribe();
    const gen = ++this.generation;
    const db = this.service()?.database;
    if (!conv || !db) {
      this.host.requestUpdate();
      return;
    }
    this.loading = true;
    this.host.requestUpdate();
    const page = await this.load(db, conv);
    if (gen !== this.generation) return;
    this.merge(page);
    this.hasOlder = page.length === PAGE_SIZE;
    this.loading = false;
    this.host.requestUpdate();
  }

  /** Loads the page before the oldest message shown. Returns how many were added. */
  async loadOlder(): Promise<number> {
    const db = this.service()?.database;
    const conv = this.conv;
    const oldest = this.messages[0];
    if (!db || !conv || !oldest || this.loading || !this.hasOlder) return 0;
    const gen = this.generation;
    this.loading = true;
    this.host.requestUpdate();
    const page = await this.load(db, conv, oldest);
    if (gen !== this.generation) return 0;
    this.loading = false;
    this.hasOlder = page.length === PAGE_SIZE;
    const before = this.messages.length;
    this.merge(page);
    this.host.requestUpdate();
    return this.messages.length - before;
  }

  /**
   * One page, or none if the database fails (logged): the list then shows what it has instead
   * of "Loading…" forever.
   */
  private async load(db: ChatDb, conv: string, before?: StoredMessage): Promise<StoredMessage[]> {
    try {
      return await loadPage(db, conv, before);
    } catch (err) {
      console.warn('Peerchat: messages could not be read from this device', err);
      return [];
    }
  }

  private subscribe(): void {
    if (this.unsub) return;
    const svc = this.service();
    if (!svc) return;
    this.unsub = svc.onMessage((m) => {
      if (m.conv !== this.conv) return;
      this.merge([m]);
      this.host.requestUpdate();
    });
  }

  private merge(incoming: StoredMessage[]): void {
    // The common case, a new message after the last one: appended without sorting everything.
    const only = incoming.length === 1 ? incoming[0] : undefined;
    const last = this.messages.at(-1);
    if (only && (!last || byTime(last, only) < 0) && !this.messages.some((m) => m.id === only.id)) {
      this.messages = [...this.messages, only];
      return;
    }
    const byId = new Map(this.messages.map((m) => [m.id, m] as const));
    for (const m of incoming) byId.set(m.id, m);
    this.messages = [...byId.values()].sort(byTime);
  }
}

/** History order: by time, ties by id (the same order on every device). */
function byTime(a: StoredMessage, b: StoredMessage): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
