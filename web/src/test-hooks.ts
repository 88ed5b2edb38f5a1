/**
 * True only in the build the end-to-end tests run (`vite build --mode e2e`). Code that exposes
 * read-only diagnostics for tests (e.g. transfer counters on `window`) is wrapped in
 * `if (TEST_HOOKS)`, which Vite replaces with `false` in the production build, so the hook and
 * its global are dropped from what people download.
 */
export const TEST_HOOKS: boolean = import.meta.env.MODE === 'e2e';
