/** Start the WeCom simulator: `node --import tsx simulator/src/main.ts` (config from SIM_* env). */
import { createSimulator } from './server.js';

const sim = await createSimulator({ logger: { level: process.env.SIM_LOG_LEVEL ?? 'info' } });
const accounts = sim.state.accounts.map((a) => `${a.name}=${a.open_kfid}`).join(', ');
sim.app.log.info(`WeCom simulator on ${sim.url} (corp ${sim.config.corpId}); console ${sim.url}/ ; kf accounts: ${accounts}; callbacks → ${sim.config.callbackUrl || '(disabled)'}`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void sim.close().then(() => process.exit(0));
  });
}
