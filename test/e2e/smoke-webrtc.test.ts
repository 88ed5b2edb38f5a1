// Self-contained smoke test of the e2e harness (no dependency on our server or web app):
// a tiny http + ws relay on 127.0.0.1:0 serves a page whose UI lives in (nested) open shadow
// roots, two SEPARATE browser processes open a plain RTCPeerConnection data channel through it,
// and a message typed into the labelled input is sent with the "Send" button (and with Enter)
// in each direction. Proves: the loopback-only namespace, the Chromium flags/permission and the
// Firefox prefs needed for ICE, and the accessible-name lookups through shadow DOM on both engines.
//
// Run: node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/smoke-webrtc.test.ts

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOM_SIGNALLING_JS, startRoomRelay, type RoomRelay } from './room-relay';
import { browserKinds, closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserKind, type BrowserUser } from './browsers';

const PAGE = /* html */ `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>e2e smoke</title></head>
<body>
<smoke-app><span slot="title">Smoke room</span></smoke-app>
<script type="module">
  // Same structure as a Lit app: an app shell with an open shadow root, containing a chat
  // component with its own open shadow root, which holds the labelled controls.
  class SmokeChat extends HTMLElement {
    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = \`
        <style>:host { display: block } .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0) }</style>
        <p id="status" role="status">Channel: waiting</p>
        <ul id="log" aria-label="Messages"></ul>
        <form id="form">
          <label for="msg">Message</label>
          <input id="msg" autocomplete="off">
          <button id="send" type="submit">Send</button>
        </form>
        <label for="file" class="sr">Attach file</label>
        <input id="file" type="file" class="sr">
        <p id="file-info"></p>
        <p hidden>Hidden text must not appear</p>
      \`;
      this.input = root.getElementById('msg');
      this.log = root.getElementById('log');
      this.status = root.getElementById('status');
      root.getElementById('form').addEventListener('submit', (e) => {
        e.preventDefault();
        const text = this.input.value;
        if (!text) return;
        this.dispatchEvent(new CustomEvent('send-message', { detail: text, bubbles: true, composed: true }));
        this.input.value = '';
      });
      root.getElementById('file').addEventListener('change', (e) => {
        const f = e.target.files[0];
        root.getElementById('file-info').textContent = f ? 'Attached: ' + f.name + ' (' + f.size + ' bytes)' : '';
      });
    }
    setStatus(s) { this.status.textContent = 'Channel: ' + s; }
    addLine(who, text) {
      const li = document.createElement('li');
      li.textContent = who + ': ' + text;
      this.log.append(li);
    }
  }
  customElements.define('smoke-chat', SmokeChat);
  class SmokeApp extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML =
        '<header><h1><slot name="title">no title</slot></h1></header><main><smoke-chat></smoke-chat></main>';
    }
  }
  customElements.define('smoke-app', SmokeApp);

  const chat = document.querySelector('smoke-app').shadowRoot.querySelector('smoke-chat');
  const state = (window.__smoke = { localCandidates: [], received: [], openedMs: null });
  const room = new URLSearchParams(location.search).get('room');
  const ws = new WebSocket('ws://' + location.host + '/ws?room=' + encodeURIComponent(room));
  const send = (msg) => ws.send(JSON.stringify(msg));
  const pc = new RTCPeerConnection({ iceServers: [] });
  let channel = null;
  let started = 0;
  const pending = [];
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    state.localCandidates.push(e.candidate.candidate);
    send({ type: 'candidate', candidate: e.candidate.toJSON() });
  };
  pc.onconnectionstatechange = () => { if (pc.connectionState === 'failed') chat.setStatus('failed'); };
  const useChannel = (dc) => {
    channel = dc;
    dc.onopen = () => { state.openedMs = started ? Math.round(performance.now() - started) : null; chat.setStatus('open'); };
    dc.onclose = () => chat.setStatus('closed');
    dc.onmessage = (e) => { state.received.push(e.data); chat.addLine('peer', e.data); };
  };
  pc.ondatachannel = (e) => useChannel(e.channel);
  chat.addEventListener('send-message', (e) => {
    if (!channel || channel.readyState !== 'open') { chat.addLine('error', 'channel not open'); return; }
    channel.send(e.detail);
    chat.addLine('me', e.detail);
  });
  ws.onopen = () => chat.setStatus('signalling');
  const openChannel = () => useChannel(pc.createDataChannel('chat'));
${ROOM_SIGNALLING_JS}</script>
</body>
</html>`;

describe('e2e harness smoke: two browser processes, WebRTC data channel over loopback', () => {
  let server: RoomRelay;
  let fileDir: string;

  before(async () => {
    server = await startRoomRelay(PAGE);
    fileDir = await mkdtemp(path.join(tmpdir(), 'peerchat-smoke-files-'));
  });

  after(async () => {
    await closeAllBrowsers(); // also covers browsers left open by a failed test
    await server?.close();
    if (fileDir) await rm(fileDir, { recursive: true, force: true });
  });

  const pairs: [BrowserKind, BrowserKind][] = [
    ['chromium', 'chromium'],
    ['chromium', 'firefox'],
    ['firefox', 'chromium'], // Firefox makes the offer
  ];

  for (const [kindA, kindB] of pairs) {
    const skip = [kindA, kindB].some((k) => !browserKinds().includes(k)) && 'not in PEERCHAT_E2E_BROWSERS';
    test(`${kindA} ↔ ${kindB}`, { timeout: 45_000, skip }, async (t) => {
      const room = `${kindA}-${kindB}-${Date.now()}`;
      const [alice, bob] = await Promise.all([
        launchBrowser(kindA, { name: `alice-${kindA}` }),
        launchBrowser(kindB, { name: `bob-${kindB}` }),
      ]);
      const users: BrowserUser[] = [alice, bob];
      try {
        // alice joins first, so she makes the offer.
        await alice.goto(`${server.url}?room=${room}`);
        await alice.waitForText('Channel: signalling');
        await bob.goto(`${server.url}?room=${room}`);
        await Promise.all(users.map((u) => u.waitForText('Channel: open', 15_000)));

        // text() pierces nested shadow roots, follows slots, skips hidden nodes.
        const text = await alice.text();
        assert.match(text, /^Smoke room\nChannel: open\n/);
        assert.ok(!text.includes('Hidden text'), text);
        assert.ok(!text.includes('no title'), text);

        // Only loopback host candidates exist in the namespace.
        for (const u of users) {
          const cands = await u.evaluate(() => (window as unknown as { __smoke: { localCandidates: string[] } }).__smoke.localCandidates);
          assert.ok(cands.length > 0, `${u.name}: no ICE candidates`);
          assert.ok(cands.some((c) => / 127\.0\.0\.1 \d+ typ host/.test(c)), `${u.name}: ${cands.join(' | ')}`);
        }
        const openedMs = await alice.evaluate(() => (window as unknown as { __smoke: { openedMs: number } }).__smoke.openedMs);
        t.diagnostic(`offer → data channel open: ${openedMs} ms`);

        // alice → bob with the button.
        await alice.fill('Message', `hello from ${alice.kind}`);
        await alice.click('Send');
        await bob.waitForText(`peer: hello from ${alice.kind}`);
        assert.equal(await alice.value('Message'), '');
        await alice.waitForText(`me: hello from ${alice.kind}`);

        // bob → alice with Enter.
        await bob.fill('Message', `hi from ${bob.kind} ✓`);
        await bob.focus('Message');
        await bob.press('Enter');
        await alice.waitForText(`peer: hi from ${bob.kind} ✓`);
        await bob.waitForNoText('Channel: signalling');

        // Roles and file inputs by accessible name, through shadow DOM.
        await bob.waitForRole('heading', 'Smoke room');
        const file = path.join(fileDir, `${bob.kind}.txt`);
        await writeFile(file, 'twelve bytes');
        await bob.setFiles('Attach file', [file]);
        await bob.waitForText(`Attached: ${bob.kind}.txt (12 bytes)`);

        const received = await bob.waitFor(() => (window as unknown as { __smoke: { received: string[] } }).__smoke.received.length === 1);
        assert.equal(received, true);
      } catch (err) {
        await dumpDiagnostics(users, t.name);
        throw err;
      } finally {
        await Promise.all(users.map((u) => u.close()));
      }
    });
  }
});
