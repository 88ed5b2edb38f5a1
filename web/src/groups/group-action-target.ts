/**
 * Where a group conversation's message actions go (web/src/everyday/action-controller.ts runs
 * the menu, reaction chips, reply quotes and reply/edit bar for both kinds of conversation):
 * reply, react, edit and recall are signed control messages to the whole group (group-acts.ts).
 */
import type { MessageActionTarget } from '../everyday/action-controller';
import type { GroupActions } from './groups-contract';

export function groupTarget(groups: GroupActions, groupId: string): MessageActionTarget {
  return {
    send: (text, replyTo) => groups.sendText(groupId, text, replyTo?.id),
    edit: (m, text) => groups.edit(groupId, m.id, text),
    react: (m, emoji) => groups.react(groupId, m.id, emoji),
    recall: (m) => groups.recall(groupId, m.id),
  };
}
