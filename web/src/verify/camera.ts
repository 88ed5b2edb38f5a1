/** Opening and closing the camera for QR scanning, with failures as error codes. */
import { PeerchatError } from '../../../shared/errors';

/**
 * Asks for the back camera where there is one (a phone pointed at another screen), any camera
 * otherwise. Only call it from a person's action: it may show the browser's permission prompt.
 * Throws CAMERA_DENIED when refused, CAMERA_UNAVAILABLE when there is no usable camera (also on
 * a page not served over HTTPS, where browsers hide the camera API).
 */
export async function openCamera(): Promise<MediaStream> {
  const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!media?.getUserMedia) throw new PeerchatError('CAMERA_UNAVAILABLE');
  try {
    return await media.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    console.warn('Camera could not be opened for QR scanning:', name || err);
    const denied = name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError';
    throw new PeerchatError(denied ? 'CAMERA_DENIED' : 'CAMERA_UNAVAILABLE', {}, { cause: err });
  }
}

/** Stops every track, which turns the camera (and its indicator light) off. */
export function closeCamera(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
