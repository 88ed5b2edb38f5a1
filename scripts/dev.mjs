// `npm run dev`: the signal server (restarted on change) and Vite's dev server with hot reload.
// Vite proxies /ws to the signal server, so open the URL Vite prints.
import { spawn } from 'node:child_process';

const children = [
  spawn('npx', ['tsx', 'watch', 'signal-server/src/main.ts'], { stdio: 'inherit', env: { ...process.env, PORT: process.env.PORT ?? '8080', HOST: '127.0.0.1' } }),
  spawn('npx', ['vite', '--config', 'web/vite.config.ts'], { stdio: 'inherit' }),
];
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', (code) => { stop(); process.exitCode = code ?? 0; });
