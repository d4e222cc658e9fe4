import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/index.ts';
import { createLogger } from '../../../src/core/log.ts';
import { createMetrics } from '../../../src/core/metrics/registry.ts';
import { buildHttpServer } from '../../../src/http/index.ts';
import { graphWebhookPlugin } from '../../../src/microsoft/inbound/webhook-plugin.ts';
import { hashClientState } from '../../../src/microsoft/notifications/client-state.ts';

/** The plugin alone, with its ports failing or counting: what Graph sees when our side breaks. */
describe('webhook plugin when recording fails', () => {
  const silent = createLogger({ log: { level: 'silent', format: 'json' } });
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  async function server(record: () => Promise<readonly unknown[]>) {
    const config = loadConfig({ env: { MM365_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' } });
    const http = buildHttpServer({
      config,
      log: silent,
      metrics: createMetrics(),
      probes: [],
      isDraining: () => false,
    });
    await http.register(graphWebhookPlugin, {
      prefix: '/microsoft',
      inbox: { record },
      subscriptions: {
        getByGraphId: async (id) =>
          id === 'sub-1' ? { id: 'row-1', clientStateHash: hashClientState('cs') } : undefined,
      },
      validationTokens: { verifyAll: async () => true },
      registry: new Registry(),
    });
    close = () => http.close();
    return http;
  }

  const envelope = {
    value: [{ subscriptionId: 'sub-1', clientState: 'cs', changeType: 'created', resource: 'r' }],
  };

  it('answers 500 (Graph retries) and never 202 when the record cannot be written', async () => {
    const http = await server(async () => {
      throw new Error('database down');
    });
    const res = await http.inject({ method: 'POST', url: '/microsoft/notifications', payload: envelope });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('MM365_INTERNAL');
  });

  it('refuses a body that is not a notification envelope, and keeps the root parsers out', async () => {
    const http = await server(async () => []);
    const bad = await http.inject({
      method: 'POST',
      url: '/microsoft/notifications',
      payload: { value: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MM365_WEBHOOK_PAYLOAD_INVALID');
    const notJson = await http.inject({
      method: 'POST',
      url: '/microsoft/notifications',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(notJson.statusCode).toBe(400);
    const form = await http.inject({
      method: 'POST',
      url: '/microsoft/notifications',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=b',
    });
    expect(form.statusCode).toBe(415);
  });
});
