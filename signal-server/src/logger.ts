/**
 * Structured logging (pino, JSON lines on stdout).
 *
 * Privacy rule: log connection ids, usernames, addresses, error codes and counts. Never log
 * frame contents: no passwords, tokens, token hashes, SDP or ICE candidates. Call sites only pass
 * such scalars; the redaction list below is a second line of defence in case someone logs an
 * object by mistake.
 */
import pino from 'pino';
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
