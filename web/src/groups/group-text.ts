import { msg, str } from '@lit/localize';
import { plural } from '../l10n/plural';

/** "5 members" (one form per count, as the app language counts). */
export function memberCountText(n: number): string {
  return plural(n, { one: () => msg(str`${n} member`), other: () => msg(str`${n} members`) });
}
