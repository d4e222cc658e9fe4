/**
 * A change-notification receiver for tests: HTTPS with its own test CA (the sim is told to trust it through
 * the control API), echoing validation tokens as Graph requires and recording every notification body.
 * `mode` switches its behaviour between calls.
 */
import { rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { createTestPki } from '../../../sim/shared/tls.ts';
import type { AnyJson } from './sim-harness.ts';

export type ReceiverMode = 'ok' | 'wrong-token' | 'status-500' | 'slow' | 'fail-next';

export interface Receiver {
  url: string;
  caPem: string;
  mode: ReceiverMode;
  /** Notification envelopes received on `/notify` and `/lifecycle`, in order. */
  notifications: AnyJson[];
  lifecycle: AnyJson[];
  validations: string[];
  /** Raw request URLs of validation calls (to check Graph's encoding). */
  validationUrls: string[];
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const pki = await createTestPki('receiver');
  const r = {
    mode: 'ok' as ReceiverMode,
    notifications: [] as AnyJson[],
    lifecycle: [] as AnyJson[],
    validations: [] as string[],
    validationUrls: [] as string[],
  };
  const server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const token = url.searchParams.get('validationToken');
      if (r.mode === 'slow') {
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(token ?? ''), 1500).unref();
        return;
      }
      if (token !== null) {
        r.validations.push(token);
        r.validationUrls.push(req.url ?? '');
        if (r.mode === 'status-500') return void res.writeHead(500).end();
        const echo = r.mode === 'wrong-token' ? `${token}x` : token;
        return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(echo);
      }
      if (r.mode === 'fail-next') {
        r.mode = 'ok';
        return void res.writeHead(503).end();
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      (url.pathname === '/lifecycle' ? r.lifecycle : r.notifications).push(body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `https://localhost:${port}`,
    caPem: pki.caPem,
    async waitFor(pred: () => boolean, timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > until) throw new Error('receiver: timed out waiting');
        await new Promise((res) => setTimeout(res, 20));
      }
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dirname(pki.caPath), { recursive: true, force: true });
    },
  });
}
