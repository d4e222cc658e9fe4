import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNotification } from '../../../src/microsoft/index.ts';
import { migrateToLatest, openStore, type Store } from '../../../src/store/index.ts';
import { waitFor } from '../../helpers/wait.ts';
import { type MsHarness, startMsHarness } from '../harness.ts';
import { type WiredEdge, wireEdge } from '../wiring.ts';

/**
 * Proof: a crash between a notification's 202 and its processing loses nothing. Process A records and
 * acks but never works a job (it "dies" right after answering); process B starts on the same PostgreSQL
 * database with a fresh connection pool and processes the notification, exactly once.
 */
describe('crash after the 202, restart, processed once (PostgreSQL)', () => {
  let h: MsHarness;
  let a: WiredEdge;
  let b: WiredEdge | undefined;
  let second: Store | undefined;
  beforeAll(async () => {
    h = await startMsHarness('pg');
    await h.control('PATCH', '/settings', { allowHttpNotificationUrl: true });
  });
  afterAll(async () => {
    await b?.stop();
    await second?.close();
    await h.close();
  });

  it('keeps the recorded notification and its job across the restart, and ignores the redelivery', async () => {
    a = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: false });
    await a.start();
    const aliceId = h.sim.ready.users.alice?.id ?? '';
    await a.edge.subscriptions.ensure({
      kind: 'test.events',
      ownerKey: 'p-alice',
      resource: `/users/${aliceId}/events`,
      changeType: 'created',
      auth: { kind: 'app' },
    });
    const token = (await h.control<{ access_token: string }>('POST', '/tokens', { user: 'alice' }))
      .access_token;
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const created = await fetch(`${h.sim.ready.graph}/me/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Survives a crash',
        start: { dateTime: start, timeZone: 'UTC' },
        end: { dateTime: start, timeZone: 'UTC' },
      }),
    });
    expect(created.status).toBe(201);
    const eventId = ((await created.json()) as { id: string }).id;

    const rows = () =>
      sql<{
        id: string;
        body: string;
        processed_at: Date | null;
      }>`select id, body, processed_at from microsoft_notification`.execute(h.t.store.db);
    await waitFor('the notification to be recorded', async () => (await rows()).rows.length === 1);
    const log = await h.control<{ value: { kind: string; outcome: unknown; body: unknown }[] }>(
      'GET',
      '/notifications',
    );
    const ack = log.value.find((d) => d.kind === 'notification' && JSON.stringify(d.body).includes(eventId));
    expect(ack?.outcome).toBe(202);

    // Graph redelivers the same POST (it thinks our answer was lost): same key, still pending → no new row.
    const original = typeof ack?.body === 'string' ? JSON.parse(ack.body) : ack?.body;
    const again = await a.http.inject({ method: 'POST', url: '/microsoft/notifications', payload: original });
    expect(again.statusCode).toBe(202);
    expect((await rows()).rows).toHaveLength(1);
    expect((await rows()).rows[0]?.processed_at).toBeNull();
    expect((await rows()).rows[0]?.body).not.toContain('clientState');

    // The crash: A goes away without ever running the job.
    await a.stop();

    // The restart: a new process (new pool) on the same database works the queue.
    second = openStore(h.t.config);
    await migrateToLatest(second);
    const seen: GraphNotification[] = [];
    b = wireEdge({ store: second, vault: h.vault, microsoft: h.microsoft, work: true });
    b.edge.processor.register('test.events', {
      async onChange(n) {
        seen.push(n);
      },
      async onCatchUp() {},
    });
    await b.start();
    await waitFor('the notification to be processed after the restart', async () =>
      (await rows()).rows.every((r) => r.processed_at !== null),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]?.resourceData).toMatchObject({ id: eventId });
  });
});
