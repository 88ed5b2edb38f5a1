/**
 * End-to-end tests only (installed `if (TEST_HOOKS)`, dropped from production builds): the group
 * actions and state on `window.peerchatGroups`, for driving groups before (or beside) the screens.
 */
import type { GroupActions } from './groups-contract';

declare global {
  interface Window {
    peerchatGroups?: GroupActions;
  }
}

export function installGroupTestHook(groups: GroupActions): void {
  globalThis.window.peerchatGroups = groups;
}
