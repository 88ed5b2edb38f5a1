// A throwaway WebRTC rendezvous for tests and benchmarks that do NOT use Peerchat's own server:
// an http server that serves one page, and a ws relay that pairs the two members of each ?room=.
// Used by the harness smoke test and the raw data-channel baseline.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RoomRelay {
  url: string;
  close(): Promise<void>;
}

/**
 * In-page signalling for pages served by {@link startRoomRelay}. It expects, in scope: `pc`
 * (the RTCPeerConnection), `send(msg)` (over the ws), `pending` (an array), `started` (a `let`),
 * and `openChannel()` (creates the offerer's data channel). The first member of a room gets
 * `start` and makes the offer.
 */
export const ROOM_SIGNALLING_JS = /* js */ `
  ws.onmessage = async (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'start') {
      started = performance.now();
      openChannel();
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'description', description: pc.localDescription });
    } else if (msg.type === 'description') {
      await pc.setRemoteDescription(msg.description);
      if (msg.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'description', description: pc.localDescription });
      }
      for (const c of pending.splice(0)) await pc.addIceCandidate(c);
    } else if (msg.type === 'candidate') {
      if (pc.remoteDescription) await pc.addIceCandidate(msg.candidate);
      else pending.push(msg.candidate);
    }
  };
`;

/** Serves `page` at / (and /?…) on 127.0.0.1:0 and relays between the two members of a room. */
export async function startRoomRelay(page: string): Promise<RoomRelay> {
  const rooms = new Map<string, Set<WebSocket>>();
  const http: Server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    } else {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  wss.on('connection', (ws, req) => {
    const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? '';
    const members = rooms.get(room) ?? new Set<WebSocket>();
    rooms.set(room, members);
    if (members.size >= 2) {
      ws.close(1008, 'room full');
      return;
    }
    members.add(ws);
    if (members.size === 2) [...members][0]?.send(JSON.stringify({ type: 'start' }));
    ws.on('message', (data) => {
      for (const other of members) if (other !== ws) other.send(data.toString());
    });
    ws.on('close', () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
