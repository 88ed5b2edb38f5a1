import { PeerchatError, isAppErrorCode, type AppErrorCode, type ErrorParams } from '../../../shared/errors';
import type { ChatService } from '../state/chat-service';
import type { GroupActions } from './groups-contract';
import type { GroupReceipts } from './group-receipts';

/**
 * The group service of the chat service (`service.groups`), or undefined in a build that has
 * none; the screens then offer nothing that needs it.
 */
export function groupActionsOf(service: ChatService | undefined): GroupActions | undefined {
  return (service as (ChatService & { groups?: GroupActions }) | undefined)?.groups;
}

/**
 * "Read" and "typing…" of the group service, or undefined where the service has none (the
 * screens' in-memory stand-in in the UI tests): the screens then show neither.
 */
export function groupReceiptsOf(service: ChatService | undefined): GroupReceipts | undefined {
  return (service?.groups as { receipts?: GroupReceipts } | undefined)?.receipts;
}

/** A failed group action as the screens show it: its code (and params), never English text. */
export interface GroupActionError {
  code: AppErrorCode;
  params: ErrorParams;
}

/** The code of a caught error; one without a code is logged and shown as UNEXPECTED. */
export function groupActionError(err: unknown, what: string): GroupActionError {
  if (err instanceof PeerchatError) return { code: err.code, params: err.params };
  // The same shape from another copy of the class (a worker, a test page): still a code.
  const e = err as { name?: unknown; code?: unknown; params?: unknown } | null;
  if (e?.name === 'PeerchatError' && typeof e.code === 'string' && isAppErrorCode(e.code)) {
    return { code: e.code, params: (e.params ?? {}) as ErrorParams };
  }
  console.warn(`Peerchat: ${what} failed`, err);
  return { code: 'UNEXPECTED', params: {} };
}
