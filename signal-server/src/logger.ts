/**
 * Structured logging (pino, JSON lines on stdout).
 *
 * Privacy rule: log connection ids, usernames of logged-in users, addresses, error codes and
 * counts. Never log frame contents: no passwords, tokens, token hashes, SDP or ICE candidates.
 * A name typed at a failed login or registration is only logged as {@link usernameTag}: people
 * type their password into the username field. Call sites only pass
 * such scalars; the redaction list below is a second line of defence in case someone logs an
 * object by mistake.
 */
import { createHmac, randomBytes } from 'node:crypto';
import pino from 'pino';
import { usernameKey } from '../../shared/account-rules';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

const REDACT = [
  'password',
  'token',
  'tokenHash',
  'passwordHash',
  'sdp',
  'data',
  'candidate',
  'msg.password',
  'msg.token',
  'msg.data',
  '*.password',
  '*.token',
  '*.tokenHash',
  '*.passwordHash',
  '*.sdp',
  '*.data',
  '*.candidate',
];

export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'peerchat-signal' },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that discards everything: the default for embedded servers and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Key of {@link usernameTag}: new for every process, so tags cannot be looked up in a table. */
const TAG_KEY = randomBytes(32);

/**
 * What a log line may carry of a username that did not log in: a keyed hash (12 hex digits) of
 * its lower-case form, so repeated attempts on one name can be told apart within this run of the
 * server without the typed text (often a password) ever reaching the log.
 */
export function usernameTag(username: string): string {
  return createHmac('sha256', TAG_KEY).update(usernameKey(username)).digest('hex').slice(0, 12);
}
