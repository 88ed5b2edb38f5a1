// Scale-out with real browsers: Redis, two Peerchat instances and HAProxy in front of them
// (test/e2e/scale-out-cluster.ts; the balancer's config is the repository's haproxy.cfg with
// loopback addresses), presence in `contacts` mode (the default with Redis).
//
//  - alice (Chromium) and bob (Firefox) open the app through the balancer and land on DIFFERENT
//    instances (read from each instance's "logged in" log line; the recipe's `balance leastconn`
//    sends bob's socket to the instance alice's does not hold, and should it not, bob reloads
//    until it does). They
//    find each other by exact username, see each other online and chat over WebRTC: every
//    offer, answer and candidate crossed from one instance to the other through Redis pub/sub.
//  - carol, a ws client logged in on one of the instances and nobody's contact, is told nothing
//    about alice or bob.
//  - Mid-chat (both send a message about every 100 ms through the composer), alice's instance
//    is killed with SIGKILL. Her app reconnects through the balancer to the live instance and
//    resumes with its token (the figure is printed); the chat goes on past the presence TTL (when
//    the live instance drops the dead one's users); at the end each side shows every message of
//    the other exactly once, in order, and every own message delivered.
//  - The killed instance starts again on its port: bob, sent there by the balancer, gets a new
//    secure session with alice on the other instance (the restarted instance must know who was
//    already online). Then it hangs (SIGSTOP: its sockets stay open, nothing is closed): the
//    balancer's failed health check closes its sessions (haproxy.cfg, on-marked-down
//    shutdown-sessions) and bob resumes on the live instance.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/scale-out.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, PASSWORD } from '../server/helpers';
import { PROTOCOL_VERSION } from '../../shared/limits';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, stepTracker, waitContactLabel, waitForMessage, waitLinkReady, ui } from './app-helpers';
import { startScaleOutCluster, type ClusterInstance, type ScaleOutCluster } from './scale-out-cluster';

/** Seconds a dead instance's users stay online elsewhere; short, so the chat outlives it. */
const PRESENCE_TTL_S = 3;
/** The pace of each side's stream of messages. */
const STREAM_EVERY_MS = 100;

/** Sends `text` through the composer and waits until the app took it (the box is empty again). */
async function sendAndWaitStored(user: BrowserUser, text: string): Promise<void> {
  await send(user, text);
  const label = ui(user).id('composer-label', 'Message');
  const deadline = Date.now() + 10_000;
  while ((await user.value(label)) !== '') {
    assert.ok(Date.now() < deadline, `${user.name}: the app did not take ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 10)); // poll interval
  }
}

/**
 * Sends `${prefix}-001`, `${prefix}-002`, ... about every STREAM_EVERY_MS until `enough()` says
 * so; returns the texts sent, in order.
 */
async function stream(user: BrowserUser, prefix: string, enough: (sent: number) => boolean): Promise<string[]> {
  const sent: string[] = [];
  let next = Date.now();
  while (!enough(sent.length)) {
    const text = `${prefix}-${String(sent.length + 1).padStart(3, '0')}`;
    await sendAndWaitStored(user, text);
    sent.push(text);
    next += STREAM_EVERY_MS;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // the stream's pace, not a wait for a state
  }
  return sent;
}

/** Waits until every outgoing message `user` shows is delivered (or read), then returns what it shows. */
async function waitAllDelivered(user: BrowserUser, lastText: string): Promise<Awaited<ReturnType<typeof shownMessages>>> {
  await waitForMessage(user, lastText, 'delivered', 30_000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shown = await shownMessages(user);
    const pending = shown.filter((m) => m.outgoing && m.state !== 'delivered' && m.state !== 'read');
    if (pending.length === 0) return shown;
    assert.ok(Date.now() < deadline, `${user.name}: not delivered: ${JSON.stringify(pending.slice(0, 5))}`);
    await new Promise((r) => setTimeout(r, 200)); // poll interval
  }
}

describe('scale-out: browsers on two instances behind HAProxy', { timeout: 120_000 }, () => {
  let cluster: ScaleOutCluster;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: Client | undefined;
  let aliceOn: ClusterInstance;
  let bobOn: ClusterInstance;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    [cluster, alice, bob] = await Promise.all([
      startScaleOutCluster({ PRESENCE_TTL: String(PRESENCE_TTL_S) }),
      launchBrowser('chromium', { name: 'alice' }),
      launchBrowser('firefox', { name: 'bob' }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'scale-out');
    await carol?.close();
    await closeAllBrowsers();
    await cluster?.dispose();
  });

  step('carol, a ws client, logs in first on one instance and names nobody', async () => {
    // Straight to an instance, not through the balancer: her socket does not count in its
    // leastconn choice for the browsers.
    const second = cluster.instances[1];
    assert.ok(second);
    carol = await Client.connect(`ws://127.0.0.1:${second.process.port}/ws`);
    carol.send({ type: 'register', v: PROTOCOL_VERSION, username: 'carol', password: PASSWORD });
    const welcome = await carol.next('welcome', 15_000);
    assert.equal(welcome.presence, 'contacts', 'with Redis the default presence mode is contacts');
    assert.deepEqual((await carol.next('presence')).online, []);
  });

  step('alice and bob register through the balancer and land on different instances', async () => {
    await register(alice, cluster.url, 'alice');
    aliceOn = (await cluster.nextLogin('alice', 0)).instance;
    await register(bob, cluster.url, 'bob');
    let seen = 0;
    let landed = await cluster.nextLogin('bob', seen);
    for (let reloads = 0; landed.instance === aliceOn; reloads++) {
      // Both on one instance would prove nothing about the cluster: open the app again.
      assert.ok(reloads < 5, 'bob reached the other instance through the balancer');
      seen = cluster.loginCount('bob');
      await bob.reload();
      landed = await cluster.nextLogin('bob', seen);
    }
    bobOn = landed.instance;
    const aliceLine = (await cluster.nextLogin('alice', 0)).line;
    assert.equal(aliceLine.ip, '127.0.0.1', 'the instance read the client address from the trusted balancer');
    console.log(`# alice is on instance ${aliceOn.label}, bob on instance ${bobOn.label}`);
  });

  step('contacts mode: they write to each other by username, see each other online, chat over WebRTC', async () => {
    await alice.fill('Username to write to', 'bob');
    await alice.click('Write');
    await alice.waitForRole('heading', 'bob', { timeoutMs: 10_000 });
    await waitContactLabel(alice, 'bob, online, not verified', 20_000);
    // A stranger's first message goes as a request (relayed across the instances).
    await send(alice, 'Hello Bob');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'Hello Bob', 'received', 20_000);
    await waitContactLabel(bob, 'alice, online, not verified', 20_000);
    // Now contacts: the data channel comes up with signals relayed through Redis pub/sub.
    await waitLinkReady(alice, 30_000);
    await waitLinkReady(bob, 30_000);
    await send(bob, 'Hi Alice, over WebRTC');
    await waitForMessage(alice, 'Hi Alice, over WebRTC', 'received', 20_000);
    await waitForMessage(alice, 'Hello Bob', 'delivered', 20_000);
  });

  step('carol, nobody’s contact, was told nothing about alice or bob', async () => {
    assert.ok(carol);
    const about = carol.queue.filter((m) => (m.type === 'presence-update' && ['alice', 'bob'].includes(m.username)) || (m.type === 'presence' && m.online.some((n) => n === 'alice' || n === 'bob')));
    assert.deepEqual(about, [], 'no presence about alice or bob reached carol');
    await carol.close();
    carol = undefined;
  });

  step('SIGKILL of alice’s instance mid-chat: she resumes on the live one, nothing lost or doubled', async () => {
    const loginsBefore = cluster.loginCount('alice');
    const killAfter = 10;
    const afterResume = 10;
    let killedAt = 0;
    let resumedAt = 0;
    /** How many alice had sent when her resume showed in the log. */
    let sentAtResume = -1;
    let stop = false;
    const resumed = (async () => {
      while (killedAt === 0 && !stop) await new Promise((r) => setTimeout(r, 20)); // until the kill below
      return cluster.nextLogin('alice', loginsBefore, 10_000, 'resume');
    })();
    resumed.then(
      (back) => (resumedAt = back.line.at),
      () => (stop = true),
    );
    const streams = Promise.all([
      stream(alice, 'a', (n) => {
        if (n === killAfter) {
          aliceOn.kill();
          killedAt = Date.now();
        }
        if (resumedAt > 0 && sentAtResume < 0) sentAtResume = n;
        // On until the resume, the presence TTL (the live instance then drops the dead one's
        // users) and a few more messages are behind.
        stop ||= sentAtResume >= 0 && n >= sentAtResume + afterResume && Date.now() > killedAt + (PRESENCE_TTL_S + 1) * 1000;
        return stop;
      }),
      stream(bob, 'b', () => stop),
    ]);
    let back: Awaited<typeof resumed>;
    try {
      back = await resumed;
    } catch (err) {
      stop = true;
      await streams.catch(() => undefined); // the browsers stay the test's until it ends
      throw err;
    }
    assert.equal(back.instance, bobOn, 'alice is on the live instance');
    console.log(`# alice resumed on instance ${back.instance.label} ${back.line.at - killedAt} ms after the SIGKILL`);
    const [fromAlice, fromBob] = await streams;
    console.log(`# streamed ${fromAlice.length} messages from alice and ${fromBob.length} from bob`);

    const atBob = await waitAllDelivered(bob, fromBob.at(-1) ?? '');
    const atAlice = await waitAllDelivered(alice, fromAlice.at(-1) ?? '');
    await waitForMessage(bob, fromAlice.at(-1) ?? '', 'received', 30_000);
    await waitForMessage(alice, fromBob.at(-1) ?? '', 'received', 30_000);
    const incoming = async (user: BrowserUser): Promise<string[]> => (await shownMessages(user)).filter((m) => !m.outgoing).map((m) => m.text);
    assert.deepEqual(await incoming(bob), ['Hello Bob', ...fromAlice], 'bob shows each of alice’s messages once, in order');
    assert.deepEqual(await incoming(alice), ['Hi Alice, over WebRTC', ...fromBob], 'alice shows each of bob’s messages once, in order');
    assert.deepEqual(atAlice.filter((m) => m.outgoing).map((m) => m.text), ['Hello Bob', ...fromAlice]);
    assert.deepEqual(atBob.filter((m) => m.outgoing).map((m) => m.text), ['Hi Alice, over WebRTC', ...fromBob]);
    await waitContactLabel(alice, 'bob, online, not verified', 10_000);
    await waitContactLabel(bob, 'alice, online, not verified', 10_000);
    // alice's subscriptions died with her instance: the live one must hear them again from
    // her app, or she would not see bob leave and come back.
    await bob.goto('about:blank');
    await waitContactLabel(alice, 'bob, offline, not verified', 15_000);
    await bob.goto(cluster.url);
    await waitContactLabel(alice, 'bob, online, not verified', 15_000);
  });

  step('an instance that hangs (SIGSTOP: no FIN, no RST): the balancer drops its sessions, bob resumes on the live one', async () => {
    const hanging = aliceOn;
    const live = bobOn;
    // The killed instance comes back on its port; bob opens the app again until the balancer
    // (once its health check says the instance is up) sends him there.
    await hanging.restart();
    for (let reloads = 0; ; reloads++) {
      const seen = cluster.loginCount('bob');
      await bob.reload();
      if ((await cluster.nextLogin('bob', seen)).instance === hanging) break;
      assert.ok(reloads < 15, 'bob reached the restarted instance through the balancer');
    }
    await openConversation(bob, 'alice');
    await waitLinkReady(bob, 30_000);

    const seen = cluster.loginCount('bob');
    hanging.freeze();
    const frozenAt = Date.now();
    const back = await cluster.nextLogin('bob', seen, 15_000, 'resume');
    assert.equal(back.instance, live, 'bob is on the live instance');
    console.log(`# bob resumed on instance ${live.label} ${back.line.at - frozenAt} ms after his instance hung`);
    await send(alice, 'After the hang');
    await waitForMessage(bob, 'After the hang', 'received', 20_000);
    await send(bob, 'Still here');
    await waitForMessage(alice, 'Still here', 'received', 20_000);
    const count = async (user: BrowserUser, text: string): Promise<number> => (await shownMessages(user)).filter((m) => m.text === text).length;
    assert.equal(await count(bob, 'After the hang'), 1);
    assert.equal(await count(alice, 'Still here'), 1);
    // bob's new connection is heard by alice's instance: she sees him leave.
    await bob.goto('about:blank');
    await waitContactLabel(alice, 'bob, offline, not verified', 15_000);
  });
});
