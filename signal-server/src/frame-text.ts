/**
 * A client frame as text, and why one did not parse: the error code and, when its `type` is one
 * of the client types, the `ref` the error frame names.
 */
import type { ErrorCode } from '../../shared/errors';
import { safeJsonParse } from '../../shared/json';
import { PROTOCOL_VERSION } from '../../shared/limits';
import type { ClientMsg } from '../../shared/signal-protocol';

const CLIENT_TYPES: ReadonlySet<string> = new Set<ClientMsg['type']>([
  'register',
  'login',
  'resume',
  'logout',
  'signal',
  'lookup',
  'devices-publish',
  'account-reset',
  'link',
  'request',
  'presence-subscribe',
]);

export type RawData = Buffer | ArrayBuffer | Buffer[];

export function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Why a frame did not parse: the error code, and the client `type` when recognisable. */
export function classifyBadFrame(text: string): { code: ErrorCode; ref?: string } {
  const value = safeJsonParse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { code: 'BAD_MESSAGE' };
  const obj = value as Record<string, unknown>;
  const ref = typeof obj.type === 'string' && CLIENT_TYPES.has(obj.type) ? obj.type : undefined;
  const code: ErrorCode = 'v' in obj && obj.v !== PROTOCOL_VERSION ? 'UNSUPPORTED_VERSION' : 'BAD_MESSAGE';
  return ref ? { code, ref } : { code };
}
