/**
 * Who gets a copy of a message, as a pure plan (no I/O): an account is a set of devices, so a
 * message to contact C goes to each of C's devices (recipients) and, as a mirror copy, to each
 * of my other devices; a message received from C is mirrored to my other devices; in the "Your
 * devices" conversation (conv = my own account) it goes to my other devices only.
 *
 * The outbox keeps one entry per (message, device): each copy leaves when that device's link is
 * up and leaves the outbox when that device acknowledges it. The message shows Delivered as soon
 * as any device of the contact acknowledged it (mirrors do not count: they are mine).
 */

/** One copy of a message: to a device of `conv` (device null: a contact from before devices). */
export interface FanoutTarget {
  conv: string;
  device: string | null;
  /** `recipient`: the message's addressee; `mirror`: my other device, keeping a copy. */
  role: 'recipient' | 'mirror';
}

export interface FanoutInput {
  /** My account (usernameKey). */
  me: string;
  /** This device's id. */
  myDevice: string;
  /** My account's device ids (this one included), from our device list; empty if none yet. */
  myDevices: readonly string[];
  /** The conversation: the contact's usernameKey, or `me` for "Your devices". */
  conv: string;
  /** The contact's device ids from its newest verified list; null if none is known (one copy, to whichever device the server reaches). */
  contactDevices: readonly string[] | null;
}

function myOtherDevices(input: Pick<FanoutInput, 'myDevice' | 'myDevices'>): string[] {
  return [...new Set(input.myDevices)].filter((d) => d !== input.myDevice).sort();
}

/** Every copy of a message this device wrote in `conv`. */
export function planSend(input: FanoutInput): FanoutTarget[] {
  const mirrors = myOtherDevices(input);
  if (input.conv === input.me) return mirrors.map((device) => ({ conv: input.me, device, role: 'recipient' }));
  const contact = input.contactDevices === null ? [null] : [...new Set(input.contactDevices)].sort();
  return [
    ...contact.map((device): FanoutTarget => ({ conv: input.conv, device, role: 'recipient' })),
    ...mirrors.map((device): FanoutTarget => ({ conv: input.me, device, role: 'mirror' })),
  ];
}

/**
 * The mirror copies of a message this device received from a contact (or of a copy a contact's
 * message that reached this device first): my other devices. A copy that came from one of my
 * own devices is not mirrored again (that device mirrors it itself).
 */
export function planReceived(input: Pick<FanoutInput, 'me' | 'myDevice' | 'myDevices'>, cameFrom: { conv: string; device: string | null }): FanoutTarget[] {
  if (cameFrom.conv === input.me) return [];
  return myOtherDevices(input).map((device) => ({ conv: input.me, device, role: 'mirror' }));
}

/** The outbox key of one copy. */
export function copyKey(messageId: string, target: Pick<FanoutTarget, 'conv' | 'device'>): string {
  return `${messageId}/${target.conv}/${target.device ?? ''}`;
}

export type DeliveryState = 'waiting' | 'sent' | 'delivered';

export interface Delivery {
  state: DeliveryState;
  /** The contact's devices that acknowledged it. */
  deliveredTo: readonly string[];
}

/**
 * A device acknowledged its copy. A recipient's ack makes the message Delivered (and names the
 * device); a mirror's ack changes nothing the person sees. Returns null when nothing changes.
 */
export function applyAck(d: Delivery, target: FanoutTarget): Delivery | null {
  if (target.role !== 'recipient') return null;
  const device = target.device ?? '';
  if (d.state === 'delivered' && d.deliveredTo.includes(device)) return null;
  return { state: 'delivered', deliveredTo: d.deliveredTo.includes(device) ? [...d.deliveredTo] : [...d.deliveredTo, device] };
}

/** A copy was handed to its device's link: Waiting becomes Sent once any recipient copy left. */
export function applySent(d: Delivery, target: FanoutTarget): Delivery | null {
  if (target.role !== 'recipient' || d.state !== 'waiting') return null;
  return { ...d, state: 'sent' };
}

/**
 * Copies that can leave now: those still owed (not acknowledged) whose device has a ready link.
 * `ready(conv, device)` says whether that link is up.
 */
export function sendable(owed: readonly FanoutTarget[], ready: (conv: string, device: string | null) => boolean): FanoutTarget[] {
  return owed.filter((t) => ready(t.conv, t.device));
}
