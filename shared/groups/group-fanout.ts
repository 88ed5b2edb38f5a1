/**
 * Who gets a copy of a group message, and how far it got, as pure plans (no I/O).
 *
 * Fan-out: group -> member accounts (members now, and members at the message's position) ->
 * each member's devices, over the pairwise sessions, exactly as a 1:1 message goes to each device
 * of a contact (shared/devices/fanout.ts); plus a mirror copy to each of my other devices. The
 * sending device itself and members removed before the message get nothing.
 *
 * Delivery: "Delivered to 3 of 5": a member counts as delivered when any of its devices stored
 * the message (acknowledged it, directly or as learned from its sync summary). The total is the
 * members who may receive it, the author excluded.
 */
import { planSend, type FanoutTarget } from '../devices/fanout';
import { mayReceive } from './group-position';
import type { GroupState } from './group-state';

export interface GroupFanoutInput {
  state: GroupState;
  /** My account (usernameKey) and this device's id. */
  me: string;
  myDevice: string;
  /** My account's device ids, this one included. */
  myDevices: readonly string[];
  /** The message's position (its `at`). */
  at: readonly string[];
  /** A member's device ids from its newest verified list; null if none is known (one copy, to whichever device the server reaches). */
  devicesOf: (account: string) => readonly string[] | null;
}

/** The members (other than me) a message written at `at` goes to, in member order. */
export function groupRecipients(state: GroupState, me: string, at: readonly string[]): string[] {
  return state.view.members.map((m) => m.account).filter((a) => a !== me && mayReceive(state, a, at));
}

/**
 * Every copy of a message this device wrote (or relays, for a message it received: pass the
 * same and drop the mirrors it does not want). Targets' `conv` is the member account; mirrors
 * have conv = me. The outbox keeps one entry per target (copyKey in shared/devices/fanout.ts).
 */
export function planGroupSend(input: GroupFanoutInput): FanoutTarget[] {
  const base = { me: input.me, myDevice: input.myDevice, myDevices: input.myDevices };
  const out: FanoutTarget[] = [];
  for (const account of groupRecipients(input.state, input.me, input.at)) {
    out.push(...planSend({ ...base, conv: account, contactDevices: input.devicesOf(account) }).filter((t) => t.role === 'recipient'));
  }
  for (const device of [...new Set(input.myDevices)].filter((d) => d !== input.myDevice).sort()) out.push({ conv: input.me, device, role: 'mirror' });
  return out;
}

/** One acknowledgement: a device of `account` stored the message. */
export interface GroupAck {
  account: string;
  device: string | null;
}

export interface GroupDelivery {
  /** Members that have it (any device). */
  delivered: number;
  /** Members it is meant for (the author excluded). */
  total: number;
  /** Per member, in member order: whether it has it, and which of its devices said so. */
  members: { account: string; delivered: boolean; devices: string[] }[];
}

/** The delivery state of a message written by `author` at `at`, from the acks collected so far. */
export function groupDelivery(state: GroupState, author: string, at: readonly string[], acks: readonly GroupAck[]): GroupDelivery {
  const members = groupRecipients(state, author, at).map((account) => {
    const devices = [...new Set(acks.filter((a) => a.account === account).map((a) => a.device ?? ''))].sort();
    return { account, delivered: devices.length > 0, devices };
  });
  return { delivered: members.filter((m) => m.delivered).length, total: members.length, members };
}
