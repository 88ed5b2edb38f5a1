/** The machine's LAN addresses, so the start-up banner can say where phones should connect. */
import os from 'node:os';

/** Non-internal IPv4 addresses of every network interface, in interface order, without duplicates. */
export function lanAddresses(interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces()): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      // Node 18.0-18.3 reported family as a number.
      const v4 = a.family === 'IPv4' || (a.family as unknown) === 4;
      if (v4 && !a.internal && !out.includes(a.address)) out.push(a.address);
    }
  }
  return out;
}

/** `http://<addr>:<port>` for each LAN address. */
export function lanUrls(port: number, protocol: 'http' | 'https' = 'http'): string[] {
  return lanAddresses().map((a) => `${protocol}://${a}:${port}`);
}
