import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  WelcomeFlow,
  type WelcomeFlowDeps,
  welcomeAnswerActionId,
  welcomeDoneText,
  welcomeStaleText,
  welcomeStepQueue,
} from '../../../src/calendar/settings/welcome.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { CalendarWelcomes, migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';
import { captureLog } from '../../helpers/log.ts';
import { FakePosts, fakeSettings } from './fakes.ts';

type Step = { user: string; flow: string; step: number };

describe.each(drivers)('the welcome flow on %s', (driver) => {
  let t: TestStore;
  let posts: FakePosts;
  let fake: ReturnType<typeof fakeSettings>;
  let sent: { queue: string; payload: Step; inTx: boolean }[];
  let deps: WelcomeFlowDeps;
  let flow: WelcomeFlow;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.db.deleteFrom('calendar_welcome').execute();
    posts = new FakePosts();
    fake = fakeSettings();
    sent = [];
    deps = {
      db: t.store.db,
      jobs: {
        async send(def, payload, options) {
          sent.push({ queue: def.name, payload: payload as Step, inTx: options?.tx !== undefined });
          return 'job';
        },
        register() {},
      },
      settings: () => fake.settings,
      posts,
      clock,
      log: captureLog().log,
    };
    flow = new WelcomeFlow(deps);
  });

  /** Runs the step job the last answer (or start) queued, as pg-boss would. */
  async function runQueued(): Promise<void> {
    const job = sent.at(-1);
    if (!job) throw new Error('nothing queued');
    await flow.postStep(job.payload);
  }
  const lastPost = () => posts.live().at(-1);
  const click = (postData: Record<string, string | number>, value: string | undefined, postId = 'p') => ({
    user: 'u1',
    postId,
    data: postData,
    value,
  });

  it('asks each question with a welcome text in turn, applies the answers, then says where to change them', async () => {
    fake.custom.set('u1', 'yes');
    expect(await flow.start('u1')).toBe(true);
    expect(sent).toEqual([
      { queue: welcomeStepQueue.name, payload: expect.objectContaining({ user: 'u1', step: 0 }), inTx: true },
    ]);
    await runQueued();
    const first = lastPost();
    expect(first?.view.message).toBe('#### Set up Microsoft Calendar (1 of 2)');
    const card = first?.view.cards[0];
    expect(card?.title).toBe('Set a custom status');
    expect(card?.text).toBe('Set your custom status during meetings?');
    expect(card?.control?.actionId).toBe(welcomeAnswerActionId);
    // The current value (reality) is marked, as in the panel.
    expect(card?.control?.options.map((o) => [o.value, o.current])).toEqual([
      ['yes', true],
      ['no', false],
    ]);
    const data = card?.control?.data ?? {};
    expect((await new CalendarWelcomes(t.store.db).get('u1'))?.postId).toBe(first?.id);

    const answered = await flow.answer(click(data, 'no', first?.id));
    expect(answered).toEqual({
      kind: 'answered',
      view: {
        message: '#### Set up Microsoft Calendar (1 of 2)',
        cards: [
          {
            title: 'Set a custom status',
            text: 'Set your custom status during meetings?\n**Your choice:** No',
          },
        ],
      },
    });
    expect(fake.custom.get('u1')).toBe('no');
    expect(sent.at(-1)).toMatchObject({ payload: { step: 1 }, inTx: true });

    await runQueued();
    const second = lastPost();
    expect(second?.view.message).toBe('#### Set up Microsoft Calendar (2 of 2)');
    expect(second?.view.cards[0]?.control?.kind).toBe('select');
    await flow.answer(click(second?.view.cards[0]?.control?.data ?? {}, '5', second?.id));
    expect(fake.lead.get('u1')).toBe('5');
    expect((await new CalendarWelcomes(t.store.db).get('u1'))?.finishedAt).toBeInstanceOf(Date);

    await runQueued();
    expect(lastPost()?.view).toEqual({ message: welcomeDoneText, cards: [] });
    expect(fake.applied.map((a) => a.id)).toEqual(['test.custom', 'test.lead']);
  });

  it('only the current step advances: an answered, older or foreign question changes nothing and says so', async () => {
    await flow.start('u1');
    await runQueued();
    const data = lastPost()?.view.cards[0]?.control?.data ?? {};
    await flow.answer(click(data, 'yes'));
    // The same button again (a double click, or later): closed.
    expect(await flow.answer(click(data, 'no'))).toEqual({ kind: 'stale', message: welcomeStaleText });
    expect(fake.custom.get('u1')).toBe('yes');
    // A button of another run of the flow, or of a step not reached yet.
    expect((await flow.answer(click({ ...data, f: 'another-run', i: 1, s: 'test.lead' }, '5'))).kind).toBe(
      'stale',
    );
    expect((await flow.answer(click({ ...data, i: 7 }, 'yes'))).kind).toBe('stale');
    expect((await flow.answer({ user: 'u2', postId: 'p', data, value: 'yes' })).kind).toBe('stale');
    expect(fake.applied).toHaveLength(1);
    // A job for a step that is not current (a duplicate, or an old run) posts nothing.
    const before = posts.posts.size;
    await flow.postStep({ user: 'u1', flow: String(data.f), step: 0 });
    await flow.postStep({ user: 'u1', flow: 'another-run', step: 1 });
    expect(posts.posts.size).toBe(before);
  });

  it('a refused choice leaves the question open; a bad value is a coded error', async () => {
    await flow.start('u1');
    await runQueued();
    const data = lastPost()?.view.cards[0]?.control?.data ?? {};
    fake.state.locked = true;
    const queued = sent.length;
    await expect(flow.answer(click(data, 'yes'))).rejects.toMatchObject({
      code: 'MM365_CALENDAR_NOT_SYNCED',
    });
    await expect(flow.answer(click(data, 'perhaps'))).rejects.toMatchObject({
      code: 'MM365_CALENDAR_SETTING_CHOICE_INVALID',
    });
    expect(sent).toHaveLength(queued);
    expect((await new CalendarWelcomes(t.store.db).get('u1'))?.step).toBe(0);
    fake.state.locked = false;
    expect((await flow.answer(click(data, 'yes'))).kind).toBe('answered');
  });

  it('survives a restart mid-flow: a retried step job posts once, and a new process takes the next answer', async () => {
    await flow.start('u1');
    await runQueued();
    const firstId = lastPost()?.id;
    // The job is retried (it crashed after posting, before recording): the same post, not a second one.
    await runQueued();
    expect(posts.live()).toHaveLength(1);
    expect((await new CalendarWelcomes(t.store.db).get('u1'))?.postId).toBe(firstId);
    // A new process (nothing in memory) answers and continues from the stored state.
    const restarted = new WelcomeFlow(deps);
    const data = lastPost()?.view.cards[0]?.control?.data ?? {};
    expect((await restarted.answer(click(data, 'yes'))).kind).toBe('answered');
    await restarted.postStep((sent.at(-1) as { payload: Step }).payload);
    expect(lastPost()?.view.message).toBe('#### Set up Microsoft Calendar (2 of 2)');
  });

  it('a reconnect does not ask again; disconnect cancels (deleting the open question) and the next connect starts over', async () => {
    await flow.start('u1');
    await runQueued();
    const open = lastPost();
    const data = open?.view.cards[0]?.control?.data ?? {};
    expect(await flow.start('u1')).toBe(false);
    expect(sent).toHaveLength(1);

    await flow.cancel('u1');
    expect(posts.posts.get(open?.id ?? '')?.removed).toBe(true);
    expect(await new CalendarWelcomes(t.store.db).get('u1')).toBeUndefined();
    expect((await flow.answer(click(data, 'yes'))).kind).toBe('stale');
    await flow.postStep((sent[0] as { payload: Step }).payload); // the old run's job, if still queued
    expect(posts.live()).toHaveLength(0);

    expect(await flow.start('u1')).toBe(true);
    expect((sent.at(-1) as { payload: Step }).payload.flow).not.toBe(data.f);
    await runQueued();
    expect(posts.live()).toHaveLength(1);
    // A failing delete on cancel is logged, not thrown: disconnect goes on.
    posts.failRemove = new Error('gone wrong');
    await flow.cancel('u1');
    expect(await new CalendarWelcomes(t.store.db).get('u1')).toBeUndefined();
  });

  it('with no questions declared it only sends the closing line, once', async () => {
    fake.settings.splice(0, fake.settings.length, ...fake.settings.filter((s) => !s.welcome));
    await flow.start('u1');
    await runQueued();
    await runQueued();
    expect(posts.live().map((p) => p.view.message)).toEqual([welcomeDoneText]);
    expect((await new CalendarWelcomes(t.store.db).get('u1'))?.finishedAt).toBeInstanceOf(Date);
  });
});
