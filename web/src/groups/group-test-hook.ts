/**
 * End-to-end tests only (installed `if (TEST_HOOKS)`, dropped from production builds): the group
 * actions, the groups as the screens get them, and a conversation's stored lines, on
 * `window.peerchatGroups`, for driving groups beside the screens.
 */
import type { GroupActions, GroupView } from './groups-contract';
import type { ChatDb, StoredMessage } from '../db/schema';

export interface GroupTestHook {
  actions: GroupActions;
  /** The groups as the screens get them. */
  groups(): GroupView[];
  /** Every stored line of a conversation (a group's or a 1:1), oldest first. */
  history(conv: string): Promise<StoredMessage[]>;
}

declare global {
  interface Window {
    peerchatGroups?: GroupTestHook;
  }
}

export function installGroupTestHook(actions: GroupActions, readyDb: () => Promise<ChatDb | null>): void {
  globalThis.window.peerchatGroups = {
    actions,
    groups: () => [...actions.state.get().groups.values()],
    async history(conv) {
      const db = await readyDb();
      if (!db) return [];
      return db.getAllFromIndex('messages', 'by-conv-ts', IDBKeyRange.bound([conv, -Infinity, ''], [conv, Infinity, '\uffff']));
    },
  };
}
