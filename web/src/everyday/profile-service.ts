/**
 * Profiles over the sessions: my display name and avatar go to each device of a contact when a
 * pairwise session with it comes up (if that device has not had this version), to every ready
 * link when I change it, and to my own other devices, which adopt the newest. A `profile` frame
 * from a contact sets that contact's profile and nobody else's: the account is the session's
 * (the frame names no one). Received avatars are checked against their hash and re-encoded here
 * before they are kept, so only an image this device produced is ever shown.
 */
import { ready } from '../../../shared/crypto/index';
import type { ProfileFrame } from '../../../shared/messaging/everyday-messages';
import { acceptProfile, cleanDisplayName, profileFrame, shouldSendProfile, type StoredProfile } from '../../../shared/messaging/profile';
import { hashBytesHex } from '../../../shared/crypto/file-hash';
import type { ChatDb } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { Store } from '../state/store';
import { reencodeAvatar, type AvatarImage } from './avatar-image';
import { allProfileRecords, noteSent, profileOf, sentTo, storeProfile } from './profile-db';
import { avatarDataUrl } from './profile-view';

export interface ProfilesState {
  /** Profiles by account (usernameKey): contacts', and mine under my own key. */
  profiles: ReadonlyMap<string, StoredProfile>;
  /** Their avatars as data URLs, by account. */
  avatars: ReadonlyMap<string, string>;
}

export interface ProfileDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My account (usernameKey), while logged in. */
  me(): string | null;
  /** Accounts with a ready secure link now (contacts and my own other devices). */
  readyConvs(): string[];
  readyLinks(conv: string): PeerLink[];
}

const EMPTY: ProfilesState = { profiles: new Map(), avatars: new Map() };

export class ProfileService {
  readonly state = new Store<ProfilesState>(EMPTY);

  constructor(private readonly deps: ProfileDeps) {}

  /** The history database opened (or closed): show what it holds. */
  async attach(db: ChatDb | null): Promise<void> {
    if (!db) return this.reset();
    const profiles = new Map<string, StoredProfile>();
    const avatars = new Map<string, string>();
    for (const r of await allProfileRecords(db)) {
      if (!r.profile) continue;
      profiles.set(r.conv, r.profile);
      const url = avatarDataUrl(r.profile);
      if (url) avatars.set(r.conv, url);
    }
    this.state.set({ profiles, avatars });
  }

  reset(): void {
    this.state.set(EMPTY);
  }

  /** My profile, if I set one. */
  mine(): StoredProfile | undefined {
    const me = this.deps.me();
    return me ? this.state.get().profiles.get(me) : undefined;
  }

  /** The name to show for `conv`: its display name, or '' (show the username). */
  displayName(conv: string): string {
    return this.state.get().profiles.get(conv)?.name ?? '';
  }

  /**
   * Sets my profile (name cleaned; `avatar`: the re-encoded image, or null for none), keeps it
   * and sends it to every device linked now.
   */
  async setMine(name: string, avatar: AvatarImage | null): Promise<void> {
    const me = this.deps.me();
    const db = await this.deps.readyDb();
    if (!me || !db) return;
    await ready();
    const old = this.mine();
    const next: StoredProfile = { name: cleanDisplayName(name), ts: Math.max(Date.now(), (old?.ts ?? 0) + 1) };
    if (avatar) next.avatar = { mime: avatar.mime, bytes: avatar.bytes, hash: hashBytesHex(avatar.bytes) };
    await storeProfile(db, me, () => next);
    this.show(me, next);
    for (const conv of this.deps.readyConvs()) for (const link of this.deps.readyLinks(conv)) void this.sendTo(conv, link);
  }

  /** A secure link came up: send my profile if that device has not had this version. */
  linkReady(conv: string, link: PeerLink): void {
    void this.sendTo(conv, link);
  }

  /**
   * A `profile` frame arrived on a session with `conv`. From a contact: that contact's profile.
   * From one of my own devices (`own`): my profile, adopted when newer.
   */
  async receive(conv: string, frame: ProfileFrame, own: boolean): Promise<void> {
    const db = await this.deps.readyDb();
    if (!db) return;
    await ready();
    const stored = await profileOf(db, conv);
    let accepted = acceptProfile(stored, frame);
    if (!accepted) {
      if (!stored || frame.ts > stored.ts) console.warn(`Peerchat: ignored a profile whose avatar did not match its hash or size (${own ? 'own device' : 'contact'})`);
      return;
    }
    if (accepted.avatar && !own) {
      // Decoded and drawn again here: only pixels this device produced are kept and shown.
      try {
        const image = await reencodeAvatar(new Blob([accepted.avatar.bytes as BlobPart], { type: accepted.avatar.mime }));
        accepted = { ...accepted, avatar: { mime: image.mime, bytes: image.bytes, hash: hashBytesHex(image.bytes) } };
      } catch (err) {
        console.warn('Peerchat: ignored a contact profile whose avatar could not be read as an image', err);
        return;
      }
    }
    const candidate = accepted;
    const kept = await storeProfile(db, conv, (now) => (!now || candidate.ts > now.ts ? candidate : null));
    if (kept) this.show(conv, kept);
  }

  private show(conv: string, p: StoredProfile): void {
    this.state.update((s) => {
      const profiles = new Map(s.profiles).set(conv, p);
      const avatars = new Map(s.avatars);
      const url = avatarDataUrl(p);
      if (url) avatars.set(conv, url);
      else avatars.delete(conv);
      return { profiles, avatars };
    });
  }

  private async sendTo(conv: string, link: PeerLink): Promise<void> {
    try {
      const me = this.deps.me();
      const db = await this.deps.readyDb();
      if (!me || !db) return;
      const mine = await profileOf(db, me);
      const device = link.peerDeviceId ?? '';
      if (!mine || !shouldSendProfile(mine, await sentTo(db, conv, device))) return;
      await ready();
      const frame = profileFrame(mine);
      if (!frame) return console.warn('Peerchat: my profile was not sent: its avatar is over the size cap');
      if (link.send(frame)) await noteSent(db, conv, device, mine.ts);
    } catch (err) {
      console.warn('Peerchat: could not send my profile', err);
    }
  }
}
