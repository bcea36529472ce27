import { execSync } from 'node:child_process';
import { connect } from 'node:net';

/** Makes sure a local service the tests use is up, starting it with the machine's own command. */
function reachable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.end(); res(true); });
    s.once('error', () => res(false));
    s.setTimeout(1000, () => { s.destroy(); res(false); });
  });
}

const START: Record<string, { port: number; cmd: string }> = {
  postgresql: { port: 5432, cmd: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
  redis: { port: 6379, cmd: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log' },
};

export async function ensureService(name: keyof typeof START): Promise<void> {
  const s = START[name]!;
  if (await reachable(s.port)) return;
  console.log(`[services] ${name} is down on 127.0.0.1:${s.port}; starting it`);
  try {
    execSync(s.cmd, { stdio: 'inherit', shell: '/bin/bash' });
  } catch {
    throw new Error(`${name} is not running on 127.0.0.1:${s.port} and could not be started (${s.cmd})`);
  }
  for (let i = 0; i < 50; i++) {
    if (await reachable(s.port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not come up on 127.0.0.1:${s.port}`);
}
