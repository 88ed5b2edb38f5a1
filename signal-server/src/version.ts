/** The server's version, from the repository's package.json (read once at start-up). */
import fs from 'node:fs';
import { PACKAGE_JSON } from './paths';

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const SERVER_VERSION = readVersion();
