/**
 * Two instances on one Redis behind a real HAProxy: an instance killed with SIGKILL, and its
 * client is back, through the balancer, on the live instance with its token within 5 s.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, sleep } from './helpers';
import { HaproxyProcess } from './haproxy-process';
import { startInstance, type InstanceProcess } from './instance-process';
import { RedisProcess } from './redis-process';

let redis: RedisProcess;
before(async () => {
  redis = await RedisProcess.start();
});
after(async () => {
  await redis.dispose();
});

/** Resumes with `token` through the balancer until it works or `deadline` passes. */
async function resumeBy(wsUrl: string, token: string, deadline: number): Promise<{ client: Client; username: string }> {
  for (;;) {
    assert.ok(Date.now() < deadline, 'resumed before the deadline');
    const client = await Client.connect(wsUrl).catch(() => undefined);
    if (client) {
      client.resume(token);
      const welcome = await client.next('welcome', Math.max(1, deadline - Date.now())).catch(() => undefined);
      if (welcome) return { client, username: welcome.username };
      await client.close();
    }
    await sleep(100);
  }
}

test('balancer: an instance killed with SIGKILL; its client resumes on the live one through HAProxy within 5 s', async () => {
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'balancer:', TRUST_PROXY: '127.0.0.1', PRESENCE: 'open' };
  const instances: InstanceProcess[] = [];
  let lb: HaproxyProcess | undefined;
  try {
    instances.push(await startInstance(env), await startInstance(env));
    const [first, second] = instances as [InstanceProcess, InstanceProcess];
    lb = await HaproxyProcess.start([first.port, second.port]);

    // `balance first`: this client is on the first instance.
    const alice = await Client.connect(lb.wsUrl);
    alice.register('alice');
    const welcome = await alice.next('welcome', 15_000);
    await alice.next('presence');
    // Someone on the second instance directly, to see her come back.
    const bob = await Client.connect(second.wsUrl);
    bob.register('bob');
    await bob.next('welcome', 15_000);
    const snap = await bob.next('presence');
    if (!snap.online.includes('alice')) await bob.next('presence-update', 3000, (m) => m.username === 'alice' && m.online);

    first.proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    await alice.closed;
    const back = await resumeBy(lb.wsUrl, welcome.token, killedAt + 5000);
    assert.equal(back.username, 'alice');
    // She is served by the second instance now: bob can reach her.
    bob.send({ type: 'signal', to: 'alice', cid: 'conn-0001', data: { type: 'offer', sdp: 'v=0' } });
    assert.equal((await back.client.next('signal')).from, 'bob');
    await Promise.all([back.client.close(), bob.close()]);
  } finally {
    await lb?.stop();
    for (const i of instances) await i.dispose();
  }
});
