/// <reference lib="webworker" />
/**
 * The service worker (built by vite-plugin-pwa's injectManifest into /sw.js).
 *  - Precaches the app shell, so the app opens with the server unreachable.
 *  - Serves index.html for navigations (client-side routes), but never for /ws or /healthz.
 *  - Receives the Web Share Target POST, keeps the content (share-store.ts) and sends the app
 *    to /?share=1.
 *  - Updates wait: a new version takes over only when the page asks (the "Reload" button posts
 *    SKIP_WAITING), so one tab never runs two versions of the app.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SHARE_ACTION, SHARE_LANDING, saveShare } from './share-store';

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
      await saveShare(await request.formData());
      return Response.redirect(SHARE_LANDING, 303);
    } catch (err) {
      // Unreadable form or storage full: the app says the share did not arrive.
      console.warn('Peerchat: a share could not be stored', err);
      return Response.redirect('/?share=failed', 303);
    }
  },
  'POST',
);
