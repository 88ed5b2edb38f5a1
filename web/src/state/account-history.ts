/**
 * The logged-in account's history database: opened once per account (at once from IndexedDB,
 * so history is readable while the server is unreachable), handed to whoever needs it once it
 * is open, and the conversation list it publishes.
 */
import { usernameKey } from '../../../shared/index';
import type { AppErrorCode } from '../../../shared/errors';
import { openChatDb, type ChatDb } from '../db/schema';
import * as history from '../db/history';
import type { Store } from './store';
import type { ConversationsState } from './contexts';

export interface AccountHistoryDeps {
  conversations: Store<ConversationsState>;
  /** The database opened (or closed): load what depends on it (pinned keys). */
  attached(db: ChatDb | null): Promise<void>;
  /** A failure the person must know about. */
  failed(code: AppErrorCode): void;
}

export class AccountHistory {
  private db: ChatDb | null = null;
  private dbUser: string | null = null;
  private opening: Promise<boolean> | null = null;

  constructor(private readonly deps: AccountHistoryDeps) {}

  /** The open database, or null (not logged in, still opening, or refused). */
  get current(): ChatDb | null {
    return this.db;
  }

  /** The database once it is open (frames can arrive while it is still opening). */
  async ready(): Promise<ChatDb | null> {
    if (this.opening) await this.opening;
    return this.db;
  }

  /** Opens this account's history database (once); false if the browser refused. */
  open(username: string): Promise<boolean> {
    const key = usernameKey(username);
    if (this.dbUser === key && this.opening) return this.opening;
    if (this.dbUser !== key) {
      this.db?.close();
      this.db = null;
    }
    this.dbUser = key;
    this.opening = (async () => {
      try {
        this.db = await openChatDb(key);
        await this.deps.attached(this.db);
      } catch (err) {
        console.warn('Peerchat: the history database would not open', err);
        this.deps.failed('HISTORY_UNAVAILABLE');
        return false;
      }
      // Best effort: without persistence the browser may evict history under storage pressure.
      void navigator.storage?.persist?.().catch((err: unknown) => console.warn('Peerchat: persistent storage was not granted', err));
      await this.refresh().catch((err: unknown) => console.warn('Peerchat: could not read the conversation list', err));
      return true;
    })();
    return this.opening;
  }

  /**
   * Re-reads the conversation list into its store. Calls that come while a read is running are
   * served by one more read after it (every message asks for one; a burst needs only the last).
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain ??= this.refreshing.catch(() => undefined).then(() => {
        this.refreshAgain = null;
        return this.refresh();
      });
      return this.refreshAgain;
    }
    const run = this.readConversations().finally(() => {
      if (this.refreshing === run) this.refreshing = null;
    });
    this.refreshing = run;
    return run;
  }

  private refreshing: Promise<void> | null = null;
  private refreshAgain: Promise<void> | null = null;

  private async readConversations(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const list = await history.listConversations(db);
    // Logged out (or another account) meanwhile: this list is not theirs.
    if (this.db !== db) return;
    this.deps.conversations.update((c) => ({ ...c, list, loaded: true }));
  }

  async markRead(conv: string): Promise<void> {
    if (!this.db) return;
    await history.markRead(this.db, conv);
    await this.refresh();
  }

  /** Logged out: closes the database and forgets the list. */
  close(): void {
    this.db?.close();
    this.db = null;
    this.dbUser = null;
    this.opening = null;
    this.deps.conversations.set({ list: [], active: null, loaded: false });
  }
}
