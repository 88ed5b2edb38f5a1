#!/usr/bin/env node
// Runs a command inside a fresh, loopback-only network namespace.
//
//   node test/e2e/run-in-netns.mjs <command> [args...]
//
// The namespace has a single interface, `lo`, brought up before the command starts, so the
// e2e tests (server + browsers) can talk to 127.0.0.1 and nothing else: no traffic can leave
// the machine, and ICE can only ever find loopback host candidates.
//
// - As root: `unshare -n`; as a normal user: `unshare -rn` (user namespace + net namespace).
// - Inside, PEERCHAT_NETNS=1 is set. If it is already set, the command is run directly (so
//   nested invocations, e.g. `npm run bench` from inside the e2e runner, do not nest namespaces).
// - stdio is inherited; the exit code (or signal) of the command is passed through.
//
// Implementation: the script re-executes itself under `unshare` with `--inside`; the inner copy
// brings `lo` up, then spawns the command and forwards termination signals to it.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const SELF = fileURLToPath(import.meta.url);
const INSIDE_FLAG = '--inside';

function fail(message) {
  process.stderr.write(`run-in-netns: ${message}\n`);
  process.exit(2);
}

/** Finds an executable on PATH or in the sbin folders (non-root PATHs often lack /usr/sbin). */
function findTool(name) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/** Spawns the command with inherited stdio, forwards signals, exits with its status. */
function runAndExit(argv, env) {
  const [cmd, ...args] = argv;
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('error', (err) => fail(`cannot run ${JSON.stringify(cmd)}: ${err.message}`));
  child.on('exit', (code, signal) => {
    if (signal) {
      // Mirror the shell convention so callers (npm, CI) see a failure.
      const num = os.constants.signals[signal] ?? 1;
      process.exit(128 + num);
    }
    process.exit(code ?? 1);
  });
}

const argv = process.argv.slice(2);

if (argv[0] === INSIDE_FLAG) {
  // We are the inner copy, already inside the new namespace.
  const command = argv.slice(1);
  const ip = findTool('ip');
  if (!ip) fail('the `ip` tool was not found (Debian: apt-get install -y iproute2).');
  const up = spawnSync(ip, ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (up.status !== 0) {
    fail(`\`ip link set lo up\` failed inside the namespace: ${(up.stderr || up.error?.message || '').trim()}`);
  }
  runAndExit(command, { ...process.env, PEERCHAT_NETNS: '1' });
} else {
  if (argv.length === 0) {
    fail('usage: node test/e2e/run-in-netns.mjs <command> [args...]');
  }
  if (process.env.PEERCHAT_NETNS === '1') {
    // Already in a loopback-only namespace (nested invocation): just run the command.
    runAndExit(argv, process.env);
  } else {
    if (process.platform !== 'linux') {
      fail('network namespaces need Linux (unshare). The e2e tests only run on Linux.');
    }
    const unshare = findTool('unshare');
    if (!unshare) fail('the `unshare` tool was not found (Debian: apt-get install -y util-linux).');
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const nsFlags = isRoot ? ['-n'] : ['-r', '-n'];

    // Probe first so a missing privilege gives a clear message instead of a confusing failure
    // of the command itself.
    const probe = spawnSync(unshare, [...nsFlags, 'true'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const detail = (probe.stderr || probe.error?.message || `exit status ${probe.status}`).trim();
      fail(
        [
          `cannot create a network namespace with \`unshare ${nsFlags.join(' ')}\`: ${detail}`,
          'The e2e tests must run in a loopback-only network namespace. Possible fixes:',
          isRoot
            ? '  - in a container, run it with CAP_SYS_ADMIN (e.g. docker run --cap-add SYS_ADMIN, or --privileged);'
            : '  - allow unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1'
              + ' (Debian) or kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+);',
          '  - or run the tests as root.',
        ].join('\n'),
      );
    }
    // unshare execs (no fork) our inner copy, which becomes the direct child here.
    runAndExit([unshare, ...nsFlags, process.execPath, SELF, INSIDE_FLAG, ...argv], process.env);
  }
}
