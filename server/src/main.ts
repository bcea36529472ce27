import { loadConfigOrExit, isPostgres } from './config.js';
import { createLogger } from './core/logger.js';
import { startKefu, type Kefu } from './app.js';
import { DEMO_USERS } from './demo/seed.js';

const config = loadConfigOrExit();

const log = createLogger(config.KEFU_LOG_LEVEL);

// Signals are handled from the first moment: a SIGTERM during start-up waits for the start
// to finish and then shuts down cleanly.
let stopping = false;
let kefuReady: Promise<Kefu> | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log.info({ sig }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    (kefuReady ?? Promise.reject(new Error('not started')))
      .then((k) => k.close())
      .then(() => process.exit(0), (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  });
}

kefuReady = startKefu(config, { logger: log });
const kefu = await kefuReady;
log.info({ url: kefu.url, db: kefu.dbKind, wecom_api: config.WECOM_API_BASE }, 'kefu started');
if (config.KEFU_DEMO_DATA) {
  const lines = DEMO_USERS.map((u) => `    ${u.username.padEnd(8)} / ${u.password}   ${u.display_name} (${u.role})`).join('\n');
  console.log(`\n  kefu 客服 is running on http://localhost:${kefu.port}  (${isPostgres(config) ? 'PostgreSQL' : 'SQLite'})\n  demo logins:\n${lines}\n`);
}
