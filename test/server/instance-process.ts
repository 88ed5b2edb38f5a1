/**
 * A Peerchat server instance as a real child process (`node --import tsx signal-server/src/main.ts`)
 * on a free loopback port, for what only a process can show: SIGKILL, SIGTERM, several instances
 * behind a balancer.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeStaticDir, runNode, tempDir, waitForOutput, type NodeProcess } from './helpers';
import { freePort } from './redis-process';

const MAIN = fileURLToPath(new URL('../../signal-server/src/main.ts', import.meta.url));

export interface InstanceProcess {
  proc: NodeProcess;
  port: number;
  wsUrl: string;
  /** SIGKILL if still running, and removes the temp folders. */
  dispose(): Promise<void>;
}

/** Starts an instance (env: REDIS_URL, PRESENCE_TTL, ...) and waits for its banner. */
export async function startInstance(env: Record<string, string> = {}): Promise<InstanceProcess> {
  const port = await freePort();
  const dataDir = tempDir();
  const staticDir = makeStaticDir();
  const proc = runNode(['--import', 'tsx', MAIN], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: staticDir, ...env });
  const dispose = async (): Promise<void> => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(staticDir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(proc, 'Peerchat is running:');
  } catch (err) {
    await dispose();
    throw err;
  }
  return { proc, port, wsUrl: `ws://127.0.0.1:${port}/ws`, dispose };
}
