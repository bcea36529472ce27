/** Start the WeCom simulator: `node --import tsx simulator/src/main.ts` (config from SIM_* env). */
import { createSimulator } from './server.js';

// request URLs carry access_token and corpsecret: log them without the query string
const sim = await createSimulator({
  logger: {
    level: process.env.SIM_LOG_LEVEL ?? 'warn',
    serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }) },
  },
});
const accounts = sim.state.accounts.map((a) => `${a.name}=${a.open_kfid}`).join(', ');
console.log(`WeCom simulator on ${sim.url} (corp ${sim.config.corpId}); console ${sim.url}/ ; kf accounts: ${accounts}; callbacks → ${sim.config.callbackUrl || '(disabled)'}`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void sim.close().then(() => process.exit(0));
  });
}
