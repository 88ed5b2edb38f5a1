/**
 * Shared state is split by slice so a component subscribes only to what it draws. `pc-app`
 * provides every slice; components read one with a StoreController (which re-renders them on
 * change) and get everything else as properties from their parent. The service context is for
 * actions (send, accept, retry), not for reading state.
 */
import { createContext } from '@lit/context';
import type { Store } from './store';
import type { ChatService } from './chat-service';
import type { ConnectionState } from '../net/signal-client';
import type { ErrorCode } from '../../../shared/index';
import type { AppErrorCode } from '../../../shared/errors';
import type { InstallState } from '../pwa/install-prompt';
import type { ShareState } from '../pwa/share-intake';
import type { UpdateState } from '../pwa/pwa-register';
import type { StoredConversation } from '../db/schema';
import type { LinkState } from '../net/peer-link';
import type { SecurityState } from './security';

export type { SecurityState, ContactSecurity } from './security';

export interface SessionState {
  connection: ConnectionState;
  /** Display name of the logged-in user, once known. */
  username: string | null;
  /** When the next reconnect attempt happens, while reconnecting. */
  nextRetryAt: number;
  /** Last login/registration failure, shown next to the form. */
  authError: ErrorCode | null;
  /** A storage or other local failure worth telling the person about. */
  localError: AppErrorCode | null;
}

export interface PresenceState {
  /** Lowercased username → display name, for everyone online except me. */
  online: ReadonlyMap<string, string>;
  /**
   * Lowercased username → the ids of its devices online now (my own account's other devices
   * included); an account whose connections name no device (from before devices) has none here.
   */
  devices: ReadonlyMap<string, readonly string[]>;
}

export interface ConversationsState {
  list: readonly StoredConversation[];
  /** The open conversation (lowercased peer name), or null. */
  active: string | null;
  loaded: boolean;
}

export interface PeersState {
  links: ReadonlyMap<string, LinkState>;
}

export const serviceContext = createContext<ChatService>(Symbol('peerchat-service'));
export const sessionContext = createContext<Store<SessionState>>(Symbol('peerchat-session'));
export const presenceContext = createContext<Store<PresenceState>>(Symbol('peerchat-presence'));
export const conversationsContext = createContext<Store<ConversationsState>>(Symbol('peerchat-conversations'));
export const peersContext = createContext<Store<PeersState>>(Symbol('peerchat-peers'));
/** Pinned keys, key changes, verified marks and secure-session failures, per contact. */
export const securityContext = createContext<Store<SecurityState>>(Symbol('peerchat-security'));
/** Content shared to the app from another app, waiting for a contact to be chosen. */
export const shareContext = createContext<Store<ShareState>>(Symbol('peerchat-share'));
/** Whether the browser offers installing the app. */
export const installContext = createContext<Store<InstallState>>(Symbol('peerchat-install'));
/** A new version of the app waiting for "Reload". */
export const updateContext = createContext<Store<UpdateState>>(Symbol('peerchat-update'));
