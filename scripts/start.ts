import { spawn, type ChildProcess } from 'node:child_process';
import { loadConfigOrExit, DEMO_WECOM } from '../server/src/config.js';

/**
 * `npm start`: kefu on :3000 and, unless WECOM_API_BASE points at a real WeCom, the WeCom
 * simulator on :3100 wired to it. Environment variables pass through, so the same command
 * runs against a real corp.
 */
const config = loadConfigOrExit();

const children: ChildProcess[] = [];
const start = (name: string, script: string, env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    console.error(`[start] ${name} exited (${signal ?? code}); stopping`);
    stop(code ?? 1);
  });
  children.push(child);
};

const simUrl = new URL(config.WECOM_API_BASE);
const useSimulator = ['127.0.0.1', 'localhost'].includes(simUrl.hostname);
if (useSimulator) {
  start('simulator', 'simulator/src/main.ts', {
    SIM_PORT: simUrl.port || '3100',
    SIM_CALLBACK_URL: `http://127.0.0.1:${config.KEFU_PORT}/api/wecom/callback`,
    SIM_CORP_ID: config.WECOM_CORP_ID,
    SIM_TOKEN: config.WECOM_TOKEN,
    SIM_ENCODING_AES_KEY: config.WECOM_ENCODING_AES_KEY,
    SIM_KF_SECRET: config.WECOM_KF_SECRET,
    SIM_AGENT_ID: String(config.WECOM_AGENT_ID),
    SIM_AGENT_SECRET: config.WECOM_AGENT_SECRET,
  });
  if (config.WECOM_KF_SECRET === DEMO_WECOM.kfSecret) console.log(`[start] WeCom simulator: http://localhost:${simUrl.port || 3100} (customer console)`);
}
start('kefu', 'server/src/main.ts', {});

let shuttingDown = false;
function stop(code: number) {
  shuttingDown = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
