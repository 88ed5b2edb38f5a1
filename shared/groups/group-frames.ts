/**
 * Group frames on the data channel: peer messages (shared/peer-protocol.ts) that travel sealed
 * in the pairwise end-to-end session between two member devices, like chat frames. The same
 * frames go both ways, so there is one parser, {@link parseGroupFrame} (parsePeerMsg dispatches
 * to it on the `type`). Every list and string is capped; members, changes, messages and device
 * lists inside are checked for shape here and for signatures by the group cores
 * (applyGroupChanges, verifyGroupMessage, verifyMemberDeviceList) before anything is stored.
 *
 *   group-changes    signed changes of one group (a new change, a joiner's whole log, catch-up)
 *   group-want       "send me the changes of this group I lack" (my heads)
 *   group-msg        one signed message (the author's fan-out, or a relay), with the author's
 *                    signed device list when the receiver may not have it
 *   group-ack        the receiving device stored these messages
 *   group-summary    on connect: per group, change heads and per-device message marks
 *   group-batch      catch-up: messages the peer lacks (oldest first), the authors' device lists,
 *                    `more` when another summary should follow
 *   group-typing     the sender is writing in this group (`on`) or stopped; sent only over links
 *                    already up (shared/groups/group-receipts.ts)
 *   group-read       the sender read this group up to a message (sent to that message's author)
 *
 * Group files need no frames of their own: a group file's key and hash ride in its signed `file`
 * message, and its chunks are asked for and served with the 1:1 file frames (file-accept,
 * file-need, file-done; web/src/transfer/group-transfers.ts).
 */
import * as v from 'valibot';
import { peerFrameValue } from '../json';
import { DeviceIdSchema, SignedDeviceListSchema } from '../devices/device-list';
import { ChangeIdSchema, GROUP_LIMITS, GroupIdSchema, GroupMessageIdSchema } from './limits';
import { SignedGroupChangeSchema } from './group-change';
import { SignedGroupMessageSchema } from './group-message';

const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const Heads = v.pipe(v.array(ChangeIdSchema), v.maxLength(GROUP_LIMITS.maxParents));
const Mark = v.strictObject({
  device: DeviceIdSchema,
  upTo: Count,
  extra: v.pipe(
    v.array(v.pipe(Count, v.minValue(1))),
    v.maxLength(GROUP_LIMITS.maxSummaryExtras),
    v.check((xs) => xs.every((x, i) => i === 0 || xs[i - 1]! < x), 'extra must ascend'),
  ),
});

const GroupFrameSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('group-changes'),
    group: GroupIdSchema,
    changes: v.pipe(v.array(SignedGroupChangeSchema), v.minLength(1), v.maxLength(GROUP_LIMITS.maxBatchChanges)),
  }),
  v.strictObject({ type: v.literal('group-want'), group: GroupIdSchema, heads: Heads }),
  v.strictObject({
    type: v.literal('group-msg'),
    group: GroupIdSchema,
    msg: SignedGroupMessageSchema,
    list: v.optional(SignedDeviceListSchema),
  }),
  v.strictObject({
    type: v.literal('group-ack'),
    group: GroupIdSchema,
    ids: v.pipe(v.array(GroupMessageIdSchema), v.minLength(1), v.maxLength(GROUP_LIMITS.maxBatchMessages)),
  }),
  v.strictObject({
    type: v.literal('group-summary'),
    groups: v.pipe(
      v.array(
        v.strictObject({
          group: GroupIdSchema,
          heads: Heads,
          marks: v.pipe(v.array(Mark), v.maxLength(GROUP_LIMITS.maxSummaryDevices)),
        }),
      ),
      v.maxLength(GROUP_LIMITS.maxGroupsPerSummary),
    ),
  }),
  v.strictObject({
    type: v.literal('group-batch'),
    group: GroupIdSchema,
    msgs: v.pipe(v.array(SignedGroupMessageSchema), v.maxLength(GROUP_LIMITS.maxBatchMessages)),
    lists: v.pipe(v.array(SignedDeviceListSchema), v.maxLength(GROUP_LIMITS.maxBatchDeviceLists)),
    more: v.boolean(),
  }),
  v.strictObject({ type: v.literal('group-typing'), group: GroupIdSchema, on: v.boolean() }),
  v.strictObject({
    type: v.literal('group-read'),
    group: GroupIdSchema,
    upTo: v.strictObject({ id: GroupMessageIdSchema, ts: Count }),
  }),
]);

export type GroupFrame = v.InferOutput<typeof GroupFrameSchema>;
export type GroupFrameType = GroupFrame['type'];
export type GroupChangesFrame = Extract<GroupFrame, { type: 'group-changes' }>;
export type GroupWantFrame = Extract<GroupFrame, { type: 'group-want' }>;
export type GroupMsgFrame = Extract<GroupFrame, { type: 'group-msg' }>;
export type GroupAckFrame = Extract<GroupFrame, { type: 'group-ack' }>;
export type GroupSummaryFrame = Extract<GroupFrame, { type: 'group-summary' }>;
export type GroupBatchFrame = Extract<GroupFrame, { type: 'group-batch' }>;
export type GroupTypingFrame = Extract<GroupFrame, { type: 'group-typing' }>;
export type GroupReadFrame = Extract<GroupFrame, { type: 'group-read' }>;

export const GROUP_FRAME_TYPES: readonly GroupFrameType[] = [
  'group-changes',
  'group-want',
  'group-msg',
  'group-ack',
  'group-summary',
  'group-batch',
  'group-typing',
  'group-read',
];

/** True when a decoded message's `type` is a group frame (for dispatch in parsePeerMsg). */
export function isGroupFrameType(type: unknown): type is GroupFrameType {
  return typeof type === 'string' && (GROUP_FRAME_TYPES as readonly string[]).includes(type);
}

/**
 * Parses one group frame: JSON text or a value already decoded from JSON. Null for anything
 * malformed or oversized (never throws). Signatures are not checked here.
 */
export function parseGroupFrame(raw: unknown): GroupFrame | null {
  const value = peerFrameValue(raw);
  if (value === undefined) return null;
  const r = v.safeParse(GroupFrameSchema, value);
  if (!r.success) return null;
  const f = r.output;
  // One entry per group and per device in a summary, so a plan never sees two answers for one.
  if (f.type === 'group-summary' && new Set(f.groups.map((g) => g.group)).size !== f.groups.length) return null;
  if (f.type === 'group-summary' && f.groups.some((g) => new Set(g.marks.map((m) => m.device)).size !== g.marks.length)) return null;
  return f;
}

/** JSON text of a group frame (the plaintext to seal). */
export function serializeGroupFrame(f: GroupFrame): string {
  return JSON.stringify(f);
}
