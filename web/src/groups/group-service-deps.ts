/** What the group service (group-service.ts) needs from the chat service. */
import type { AppErrorCode } from '../../../shared/errors';
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import type { SignedDeviceList } from '../../../shared/devices/device-list';
import type { ChatDb, StoredMessage } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import type { PresenceState } from '../state/contexts';
import type { Store } from '../state/store';
import type { TransferService } from '../transfer/transfer-service';

export interface GroupServiceDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My display name, or null while logged out. */
  myName(): string | null;
  /** This browser's keys for the account (the account key is null until another device approves this one). */
  keys(): { account: IdentityKeyPair | null; device: IdentityKeyPair; deviceId: string } | null;
  /** My account's approved signed device list naming this device (null: none yet). */
  ownList(): SignedDeviceList | null;
  /** An account's key as pinned here (trust on first use); rejects for an unknown account. */
  peerKey(username: string): Promise<Uint8Array>;
  /** Ready links to an account's devices (mine: my other devices). */
  readyLinks(conv: string): PeerLink[];
  /** Dials every online device of an account (no request gate: group members may connect). */
  dial(conv: string): void;
  presence(): Store<PresenceState>;
  /** The account is blocked on this device (no group makes it reachable). */
  blocked(conv: string): boolean;
  /** The conversation is open and visible (a message arriving there is read at once). */
  isActive(conv: string): boolean;
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
  /** The file transfers (group files are records there, handled by group-files.ts). */
  transfers: TransferService;
  failed(code: AppErrorCode): void;
}
