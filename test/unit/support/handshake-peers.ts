// Fixtures for tests that run the inner handshake: two DTLS fingerprints as browsers write them,
// and three identities (alice and bob, and mallory who is neither).
import { ready, generateIdentity } from '../../../shared/crypto/index';

await ready();

function fingerprint(step: number, offset: number): string {
  return 'sha-256 ' + Array.from({ length: 32 }, (_, i) => (i * step + offset).toString(16).padStart(2, '0').toUpperCase()).join(':');
}

export const FP_A = fingerprint(7, 1);
export const FP_B = fingerprint(13, 5);
export const alice = generateIdentity();
export const bob = generateIdentity();
export const mallory = generateIdentity();
