/**
 * What the UI draws of message requests: which conversations are requests not accepted yet and
 * which accounts are blocked on this device. Provided by pc-app as {@link requestsContext}.
 */
import { createContext } from '@lit/context';
import type { Store } from '../state/store';

export interface RequestsState {
  /** Conversations (lowercased names) that are message requests, not accepted yet. */
  requests: ReadonlySet<string>;
  /** Blocked accounts on this device: lowercased name → display name. */
  blocked: ReadonlyMap<string, string>;
}

export const EMPTY_REQUESTS: RequestsState = { requests: new Set(), blocked: new Map() };

export const requestsContext = createContext<Store<RequestsState>>(Symbol('peerchat-requests'));
