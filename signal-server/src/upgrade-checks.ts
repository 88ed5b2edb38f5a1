/**
 * Small checks the server factory uses: whole-number options (a wrong one is a configuration
 * error with a sentence), and the plain HTTP answer that refuses a WebSocket upgrade (wrong path,
 * host, origin, or the server is full), written straight to the socket before any WebSocket exists.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { badConfig } from './errors';

/** `value` if it is a whole number in [min, max]; `fallback` if absent; else a configuration error. */
export function positiveInt(name: string, value: number | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badConfig(`${name} must be a whole number from ${min} to ${max}, but it is ${String(value)}.`);
  }
  return value;
}

/** Refuses an upgrade with a short plain-text HTTP answer and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
