import { msg, str } from '@lit/localize';
import type { ChangeLineView } from './group-screen-model';

/**
 * The sentence of a change line ("alice added carol"; "You added carol" when this account made
 * it, "alice added you" when it is about this account). Whole sentences per case, so a translation can order the names as its language needs.
 */
export function changeLineText(line: ChangeLineView, me: string): string {
  const mine = line.by.toLowerCase() === me;
  const aboutMe = !mine && (line.who ?? '').toLowerCase() === me;
  const by = line.by;
  const who = line.who ?? '';
  const name = line.name ?? '';
  switch (line.kind) {
    case 'created':
      return mine ? msg(str`You created the group ${name}`) : msg(str`${by} created the group ${name}`);
    case 'added':
      return mine ? msg(str`You added ${who}`) : aboutMe ? msg(str`${by} added you`) : msg(str`${by} added ${who}`);
    case 'removed':
      return mine ? msg(str`You removed ${who}`) : aboutMe ? msg(str`${by} removed you`) : msg(str`${by} removed ${who}`);
    case 'promoted':
      return mine ? msg(str`You made ${who} an admin`) : aboutMe ? msg(str`${by} made you an admin`) : msg(str`${by} made ${who} an admin`);
    case 'renamed':
      return mine ? msg(str`You renamed the group to ${name}`) : msg(str`${by} renamed the group to ${name}`);
    case 'left':
      return mine ? msg('You left the group') : msg(str`${by} left the group`);
  }
}
