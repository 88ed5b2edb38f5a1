/**
 * Node globals that simple-peer's dependencies (readable-stream, randombytes) expect.
 * Must be the first import of the entry module so they exist before those modules run.
 */
import { Buffer } from 'buffer';
import process from 'process';

const g = globalThis as unknown as { Buffer?: unknown; process?: unknown; global?: unknown };
g.global ??= globalThis;
g.Buffer ??= Buffer;
g.process ??= process;
