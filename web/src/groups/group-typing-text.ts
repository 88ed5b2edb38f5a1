import { msg, str } from '@lit/localize';

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…" (display names). */
export function groupTypingText(names: readonly string[]): string {
  if (names.length === 1) {
    const name = names[0]!;
    return msg(str`${name} is typing…`, { id: 'group-typing-one', desc: 'Under the group’s name while one member writes a message' });
  }
  if (names.length === 2) {
    const [a, b] = names as [string, string];
    return msg(str`${a} and ${b} are typing…`, { id: 'group-typing-two', desc: 'Under the group’s name while two members write' });
  }
  const n = names.length;
  return msg(str`${n} people are typing…`, { id: 'group-typing-many', desc: 'Under the group’s name while three or more members write' });
}
