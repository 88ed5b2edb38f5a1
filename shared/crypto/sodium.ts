/**
 * The single place that loads libsodium. Every other module imports `sodium` from here so the
 * readiness rule lives in one spot: libsodium-wrappers installs its functions only after
 * `sodium.ready` resolves, and calling one earlier fails with an unhelpful TypeError.
 */
import sodium from 'libsodium-wrappers';
import { CryptoError } from './errors';

export { sodium };

/**
 * Resolves once libsodium (WASM) is initialised. Call and await it once at start-up, in the
 * browser and in Node, before any other function of the crypto core.
 */
export async function ready(): Promise<void> {
  await sodium.ready;
}

/**
 * Throws NOT_READY if libsodium is not initialised yet. Called by the constructors of the core
 * (not by per-frame functions, which can only be reached through an object built after it).
 */
export function assertReady(): void {
  if (typeof sodium.crypto_generichash !== 'function') {
    throw new CryptoError('NOT_READY', 'await ready() before using the crypto core');
  }
}
