import { Client, sleep, startServer } from './helpers';
import { RedisProcess } from './redis-process';
import { startInstance } from './instance-process';

const redis = await RedisProcess.start();
const r = { url: redis.url, prefix: 'x:', presenceTtlMs: 2000 };
const a = await startServer({ presence: 'contacts', redis: { ...r } });
const b = await startInstance({ REDIS_URL: redis.url, REDIS_PREFIX: 'x:', PRESENCE: 'contacts', PRESENCE_TTL: '2' });
const look = async (label: string, url: string, token: string) => {
  const c = await Client.connect(url);
  c.resume(token);
  await c.next('welcome', 5000);
  await c.next('presence');
  c.send({ type: 'presence-subscribe', users: ['alice'] });
  console.log(label, JSON.stringify((await c.next('presence')).online));
  await c.close();
};
try {
  const alice = await Client.connect(b.wsUrl);
  alice.register('alice');
  const w = await alice.next('welcome', 15000);
  const bob = await Client.connect(a.wsUrl);
  bob.register('bob');
  const bw = await bob.next('welcome', 15000);
  await look('alice on B; bob on A sees', a.wsUrl, bw.token);
  const mode = process.argv[2];
  if (mode === 'close') await alice.close(); else await alice.kill();
  const alice2 = await Client.connect(a.wsUrl);
  alice2.resume(w.token);
  await alice2.next('welcome', 5000);
  await look('alice resumed on A; A sees', a.wsUrl, bw.token);
  await look('alice resumed on A; B sees', b.wsUrl, bw.token);
  b.proc.child.kill('SIGKILL');
  await sleep(500);
  await look('B killed +500ms; A sees', a.wsUrl, bw.token);
  await sleep(3000);
  await look('+3.5s; A sees', a.wsUrl, bw.token);
} finally {
  await a.stop(); await b.dispose();
  await redis.dispose();
}
