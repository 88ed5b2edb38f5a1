/**
 * Where each message from the server goes, in order: presence subscriptions, security (keys),
 * requests (contacts, blocking), presence, then signals and their failures, then contacts'
 * device lists. Signals are the gate of the whole app: only my own devices', contacts' and
 * group members' signals reach the links, so a stranger's offer is never answered.
 */
import { usernameKey, type ServerMsg } from '../../../shared/index';
import type { SecurityService } from './security';
import type { RequestsService } from '../requests/requests-service';
import type { PresenceTracker } from './presence-tracker';
import type { PresenceSubscriber } from './presence-subscriber';
import type { LinkCoordinator } from './link-coordinator';
import type { GroupService } from '../groups/group-service';
import type { ContactDeviceLists } from './contact-device-lists';

export interface ServerMessageParts {
  presenceSubscriber: PresenceSubscriber;
  security: SecurityService;
  requests: RequestsService;
  presenceTracker: PresenceTracker;
  links: LinkCoordinator;
  groups: GroupService;
  contactLists: ContactDeviceLists;
  /** My account (usernameKey), or null. */
  ownKey(): string | null;
}

export function routeServerMessage(p: ServerMessageParts, m: ServerMsg): void {
  p.presenceSubscriber.handle(m);
  if (p.security.handleServerMessage(m)) return;
  if (p.requests.handleServerMessage(m)) return;
  if (m.type === 'presence-update' && m.online) p.requests.peerOnline(m.username);
  if (m.type === 'presence') for (const name of m.online) p.requests.peerOnline(name);
  if (p.presenceTracker.handle(m)) return;
  if (m.type === 'signal') {
    const toLinks = (): void => p.links.handleSignal(m.from, m.fromDevice, m.cid, m.data);
    // My own other devices are not contacts: their signals go straight to the links.
    if (usernameKey(m.from) === p.ownKey()) toLinks();
    // Only a contact's (or a group member's) signals reach the links.
    else p.groups.gateSignal(m.from, toLinks, () => p.requests.gateSignal(m.from, m.cid, m.data, toLinks));
  } else if (m.type === 'error' && (m.code === 'PEER_OFFLINE' || m.code === 'RATE_LIMITED') && m.to) {
    // A signal that was not delivered (the contact went offline, or the server's relay budget
    // for this pair ran out): a half-built connection cannot finish, so it fails and redials.
    p.links.handleUndeliverable(m.to, undefined, m.cid);
  } else if (m.type === 'devices') {
    p.contactLists.fromServer(m.username, m.devices);
  }
}
