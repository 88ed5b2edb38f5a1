/// <reference lib="webworker" />
/**
 * The service worker (built by vite-plugin-pwa's injectManifest into /sw.js).
 *  - Precaches the app shell, so the app opens with the server unreachable.
 *  - Serves index.html for navigations (client-side routes), but never for /ws or /healthz.
 *  - Receives the Web Share Target POST, keeps the content beside any share still waiting
 *    (share-store.ts; over the limits it is refused) and sends the app to /?share=1.
 *  - Updates wait: a new version takes over only when the page asks (the "Reload" button posts
 *    SKIP_WAITING), so one tab never runs two versions of the app.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { PeerchatError } from '../../../shared/errors';
import { SHARE_LIMITS } from '../../../shared/share-merge';
import { SHARE_ACTION, SHARE_LANDING, SHARE_TOO_LARGE_PARAM, saveShare } from './share-store';

/** Room for the multipart boundaries, headers and text fields around a share's files. */
const SHARE_FORM_OVERHEAD = 1024 * 1024;

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// On the very first install there is no older version to mix with: take the open page at once.
// (Later versions only activate after SKIP_WAITING; claiming then reloads the page, see pwa-register.ts.)
clientsClaim();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/ws(?:[/?]|$)/, /^\/healthz(?:[/?]|$)/, /^\/share-target(?:[/?]|$)/],
  }),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname === SHARE_ACTION,
  async ({ request }) => {
    try {
      // Refused before the body is read when it says it is over the limit (form overhead aside).
      if (Number(request.headers.get('Content-Length') ?? 0) > SHARE_LIMITS.maxBytes + SHARE_FORM_OVERHEAD) {
        return Response.redirect(`/?share=${SHARE_TOO_LARGE_PARAM}`, 303);
      }
      await saveShare(await request.formData());
      return Response.redirect(SHARE_LANDING, 303);
    } catch (err) {
      if (err instanceof PeerchatError && err.code === 'SHARE_TOO_LARGE') {
        console.warn('Peerchat: a share over the limits was refused');
        return Response.redirect(`/?share=${SHARE_TOO_LARGE_PARAM}`, 303);
      }
      // Unreadable form or storage full: the app says the share did not arrive.
      console.warn('Peerchat: a share could not be stored', err);
      return Response.redirect('/?share=failed', 303);
    }
  },
  'POST',
);
