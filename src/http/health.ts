import type { FastifyInstance } from 'fastify';

/** A readiness check: resolves when its dependency is usable, throws (with a readable message) when not. */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export interface HealthOptions {
  probes: readonly ReadinessProbe[];
  /** True once shutdown began: readiness fails so load balancers stop sending traffic while we drain. */
  isDraining: () => boolean;
  /** Longest a probe may take before it counts as failed. */
  probeTimeoutMs?: number;
}

/**
 * /healthz: the process is up and serving (no dependency checked, so a database outage does not get the
 * process restarted in a loop). /readyz: every probe passes; 503 with each failure named otherwise.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  const timeout = options.probeTimeoutMs ?? 2000;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (options.isDraining()) return reply.status(503).send({ status: 'draining', checks: {} });
    const results = await Promise.all(
      options.probes.map(async (probe) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe.check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
            }),
          ]);
          return [probe.name, { ok: true }] as const;
        } catch (err) {
          return [probe.name, { ok: false, error: (err as Error).message }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ok = results.every(([, r]) => r.ok);
    return reply
      .status(ok ? 200 : 503)
      .send({ status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
}
