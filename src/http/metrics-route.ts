import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../core/metrics/registry.ts';

/**
 * Times every request. Added on the root instance (not inside a plugin) so it sees every route, adapters'
 * included. The route label is the route template (`/users/:id`), or `unmatched` for 404s, so its values
 * stay bounded whatever is requested.
 */
export function timeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

/** /metrics in Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  const { registry } = options.metrics;

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
