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

/** Interfaces of containers, VMs and VPNs: rarely where a phone on the same Wi-Fi is. */
const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|zt|tailscale|utun|lxc|cni|flannel|podman)/i;

/**
 * The address a phone on the same network most likely reaches: a physical interface first, then
 * home-router ranges (192.168/16, then 10/8, then 172.16/12), then anything else.
 */
export function preferredLanAddress(interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces()): string | null {
  const rank = (name: string, address: string): number => {
    const range = address.startsWith('192.168.') ? 0 : address.startsWith('10.') ? 1 : /^172\.(1[6-9]|2\d|3[01])\./.test(address) ? 2 : 3;
    return (VIRTUAL.test(name) ? 10 : 0) + range;
  };
  let best: { address: string; rank: number } | null = null;
  for (const [name, list] of Object.entries(interfaces)) {
    for (const a of list ?? []) {
      const v4 = a.family === 'IPv4' || (a.family as unknown) === 4;
      if (!v4 || a.internal) continue;
      const r = rank(name, a.address);
      if (!best || r < best.rank) best = { address: a.address, rank: r };
    }
  }
  return best?.address ?? null;
}
