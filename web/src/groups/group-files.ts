/**
 * Files and images to a group: offered to each member over the 1:1 file transfer with that
 * member (end-to-end sealed per pair, images shown inline in the 1:1 conversation, each member
 * accepting on their side). Sealing once with a per-file key for every member
 * (shared/groups/group-file.ts) is not used yet.
 */
import type { GroupState } from '../../../shared/groups/group-state';
import { groupRecipients } from '../../../shared/groups/group-fanout';

export interface GroupFilesInput {
  state: GroupState;
  /** My account (usernameKey). */
  me: string;
  files: readonly File[];
  /** Offers the files to one member (the 1:1 transfer). */
  sendTo(account: string, files: readonly File[]): Promise<void>;
}

/** Offers the files to every current member; rejects with the first failure once all were tried. */
export async function sendGroupFiles(input: GroupFilesInput): Promise<void> {
  const results = await Promise.allSettled(groupRecipients(input.state, input.me, input.state.heads).map((a) => input.sendTo(a, input.files)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
