/**
 * Which build of the app this page runs, as the person can read it (pc-build-info): the server
 * delivers the app's code, so a build id that changes is how a person notices new code. Vite
 * replaces `__PEERCHAT_BUILD__` at build time (web/vite.config.ts: the git commit, "+" when
 * the tree had changes, and the build date); without it (unit tests) the id is "dev".
 */
declare const __PEERCHAT_BUILD__: string | undefined;

export const BUILD_ID: string = typeof __PEERCHAT_BUILD__ === 'string' ? __PEERCHAT_BUILD__ : 'dev';
