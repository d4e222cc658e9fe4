import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../core/config/index.ts';
import type { Logger } from '../core/log.ts';
import type { Metrics } from '../core/metrics/registry.ts';
import { body, errorHandler } from './errors.ts';
import { healthRoutes, type ReadinessProbe } from './health.ts';
import { metricsRoutes, timeRequests } from './metrics-route.ts';

export interface HttpDeps {
  config: Pick<Config, 'server'>;
  log: Logger;
  metrics: Metrics;
  probes: readonly ReadinessProbe[];
  isDraining: () => boolean;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Fastify shell, ready but not listening (tests use inject()). Root-level pieces only: request ids,
 * error mapping, health, metrics. Adapters register their own routes as encapsulated plugins later.
 *
 * Request ids: a well-formed incoming X-Request-Id is kept (so a trace crosses Mattermost → us → Graph),
 * anything else is replaced by a UUID; the id is echoed in X-Request-Id and in every error body.
 */
export function buildHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.config.server.bodyLimitBytes,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // While draining, tell keep-alive clients to hang up after this response; otherwise close() waits for
    // each idle socket until the client's own keep-alive timeout.
    if (deps.isDraining()) void reply.header('connection', 'close');
    return payload;
  });
  timeRequests(app, deps.metrics);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        body(
          'MM365_HTTP_NOT_FOUND',
          `No route for ${request.method} ${request.url.split('?')[0]}.`,
          String(request.id),
        ),
      );
  });

  void app.register(metricsRoutes, { metrics: deps.metrics });
  void app.register(healthRoutes, { probes: deps.probes, isDraining: deps.isDraining });
  return app;
}
