/**
 * Checking what a `group-msg` or `group-batch` frame brings (pure): the device lists it carries
 * are verified against the account keys the group pins (a list never replaces a newer one), and
 * each message is verified with the newest list known for its author
 * (shared/groups/group-message.ts). The caller stores the accepted messages (by id, once) and
 * the newer lists.
 */
import { safeJsonParse } from '../json';
import { parseSignedDeviceList, type DeviceList } from '../devices/device-list';
import { verifyGroupMessage, verifyMemberDeviceList, type GroupMessage, type GroupMessageRefusal, type SignedGroupMessage } from './group-message';
import type { GroupState } from './group-state';

export interface ReceivedMessages {
  /** Verified messages, in frame order, with their signed form (what to store and relay). */
  accepted: { msg: GroupMessage; signed: SignedGroupMessage }[];
  /** The others: their index in the frame and why. */
  refused: { index: number; code: GroupMessageRefusal }[];
  /** Device lists from the frame newer than those known here (verified): store them. */
  newerLists: DeviceList[];
}

/**
 * Verifies a frame's messages. `known(account)`: the newest verified device list held for that
 * account, or null.
 */
export function receiveGroupMessages(state: GroupState, msgs: readonly unknown[], lists: readonly unknown[], known: (account: string) => DeviceList | null): ReceivedMessages {
  const learned = new Map<string, DeviceList>();
  for (const raw of lists) {
    const shape = parseSignedDeviceList(raw);
    const account = (safeJsonParse(shape?.list ?? '') as { account?: unknown } | undefined)?.account;
    if (!shape || typeof account !== 'string') continue;
    const newest = learned.get(account) ?? known(account);
    const r = verifyMemberDeviceList(state, account, shape, newest?.version);
    if (r.ok && (!newest || r.list.version > newest.version)) learned.set(account, r.list);
  }
  const deviceListOf = (account: string) => learned.get(account) ?? known(account);
  const out: ReceivedMessages = { accepted: [], refused: [], newerLists: [...learned.values()] };
  msgs.forEach((raw, index) => {
    const r = verifyGroupMessage(raw, { state, deviceListOf });
    if (r.ok) out.accepted.push({ msg: r.msg, signed: raw as SignedGroupMessage });
    else out.refused.push({ index, code: r.code });
  });
  return out;
}
