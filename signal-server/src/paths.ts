/**
 * Folders the server finds relative to its own code. This module runs from
 * `signal-server/src/` (tests, `npm run dev`) or bundled into `signal-server/dist/main.js`
 * (`npm start`, `npm run serve`): both two folders below the repository root.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built web app (Vite's output), served unless `--static-dir`/`STATIC_DIR` says otherwise. */
export const DEFAULT_STATIC_DIR = path.join(REPO_ROOT, 'web', 'dist');

/** The repository's package.json, source of the version that `/healthz` reports. */
export const PACKAGE_JSON = path.join(REPO_ROOT, 'package.json');
