/**
 * Public API of the end-to-end crypto core (pure, no I/O). `await ready()` once before use.
 * docs/security.md ("Cryptography") describes how the pieces fit together.
 */
export { ready } from './sodium';
export * from './errors';
export * from './identity';
export * from './fingerprint';
export * from './handshake-messages';
export * from './handshake';
export * from './chat-stream';
export * from './chunk-seal';
export * from './file-hash';
export * from './safety-number';
export { toHex } from './bytes';
