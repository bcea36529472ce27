/**
 * The baseline: a bare Fastify server that answers POST /echo with the JSON it received.
 * Run as its own process (`node --import tsx bench/src/echo.ts`, port from ECHO_PORT), so that
 * it is measured exactly like kefu: over loopback, by the bench's load generator.
 */
import Fastify from 'fastify';

const port = Number(process.env.ECHO_PORT ?? 0);
const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/echo', async (req) => req.body);
await app.listen({ port, host: '127.0.0.1' });

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void app.close().then(() => process.exit(0)));
}
