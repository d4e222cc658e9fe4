import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  outdatedPanelText,
  SettingsPanel,
  settingsPanelActionId,
} from '../../../src/calendar/settings/panel.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { CommandContext } from '../../../src/core/commands/index.ts';
import type { MmChannelId, MmTeamId, MmUserId } from '../../../src/core/ids.ts';
import { CalendarSettingsPanels, migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';
import { captureLog } from '../../helpers/log.ts';
import { FakePosts, fakeSettings } from './fakes.ts';

describe.each(drivers)('the settings panel on %s', (driver) => {
  let t: TestStore;
  let posts: FakePosts;
  let fake: ReturnType<typeof fakeSettings>;
  let panel: SettingsPanel;
  let logged: ReturnType<typeof captureLog>;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.db.deleteFrom('calendar_settings_panel').execute();
    posts = new FakePosts();
    fake = fakeSettings();
    logged = captureLog('info');
    panel = new SettingsPanel({
      db: t.store.db,
      settings: () => fake.settings,
      posts,
      clock,
      log: logged.log,
    });
  });

  it('draws one card per setting with its current value read from the feature, the current option marked', async () => {
    fake.custom.set('u1', 'yes');
    const view = await panel.view('u1');
    expect(view.cards.map((c) => c.title)).toEqual(['Set a custom status', 'Reminders', 'Broken']);
    const [custom, lead, broken] = view.cards;
    expect(custom?.text).toBe('Shows :calendar: while you are in a meeting.\n**Current value:** Yes');
    expect(custom?.control).toMatchObject({
      actionId: settingsPanelActionId,
      kind: 'buttons',
      data: { s: 'test.custom' },
    });
    expect(custom?.control?.options.map((o) => [o.label, o.current])).toEqual([
      ['Yes', true],
      ['No', false],
    ]);
    expect(lead?.text).toContain('**Current value:** 10 minutes');
    expect(lead?.control?.kind).toBe('select');
    expect(lead?.control?.options.filter((o) => o.current).map((o) => o.value)).toEqual(['10']);
    // A feature that cannot answer does not hide the others; nothing is marked current for it.
    expect(broken?.text).toContain('**Current value:** _not available right now_');
    expect(broken?.control?.options.some((o) => o.current)).toBe(false);
    expect(logged.lines().some((l) => l.msg === 'reading a calendar setting failed')).toBe(true);
    // A value set another way, not among the options, reads through the setting's label.
    fake.lead.set('u1', '7');
    expect((await panel.view('u1')).cards[1]?.text).toContain('**Current value:** 7 minutes (custom)');
  });

  it('posts a new panel per /mscalendar settings, deletes the previous one, and replies with its link', async () => {
    const reply = await panel.subcommand().run(ctx('u1'));
    const first = posts.live();
    expect(first).toHaveLength(1);
    expect(reply.text).toBe(
      `I sent you your settings in a direct message: [open them](https://chat.example.com/_redirect/pl/${first[0]?.id}).`,
    );
    await panel.open('u1');
    const live = posts.live();
    expect(live).toHaveLength(1);
    expect(live[0]?.id).not.toBe(first[0]?.id);
    expect(await new CalendarSettingsPanels(t.store.db).get('u1')).toBe(live[0]?.id);
    // A delete that fails (the post is unreachable) is logged; the new panel still replaces it.
    posts.failRemove = new Error('mattermost down');
    const third = await panel.open('u1');
    expect(await new CalendarSettingsPanels(t.store.db).get('u1')).toBe(third.postId);
    expect(logged.lines().some((l) => l.msg === 'deleting an old settings panel failed')).toBe(true);
    expect(panel.subcommand()).toMatchObject({ name: 'settings', needsAccount: true });
  });

  it('applies a click through the setting and redraws the whole panel from reality', async () => {
    const { postId } = await panel.open('u1');
    const result = await panel.choose({ user: 'u1', postId, data: { s: 'test.custom' }, value: 'yes' });
    expect(fake.applied).toEqual([{ id: 'test.custom', user: 'u1', value: 'yes' }]);
    expect(result.kind).toBe('updated');
    if (result.kind !== 'updated') return;
    expect(result.view.cards[0]?.text).toContain('**Current value:** Yes');
    expect(result.view.cards[0]?.control?.options.find((o) => o.current)?.value).toBe('yes');
    // Reality changed elsewhere (e.g. by a slash command): the next redraw shows it, not a remembered value.
    fake.lead.set('u1', '15');
    const again = await panel.choose({ user: 'u1', postId, data: { s: 'test.lead' }, value: '5' });
    expect(again.kind === 'updated' && again.view.cards[1]?.text).toContain('**Current value:** 5 minutes');
    fake.custom.set('u1', 'no');
    const third = await panel.choose({ user: 'u1', postId, data: { s: 'test.lead' }, value: '5' });
    expect(third.kind === 'updated' && third.view.cards[0]?.text).toContain('**Current value:** No');
  });

  it('a refused value throws the feature error and changes nothing; unknown settings and values are coded errors', async () => {
    const { postId } = await panel.open('u1');
    fake.state.locked = true;
    await expect(
      panel.choose({ user: 'u1', postId, data: { s: 'test.custom' }, value: 'yes' }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_NOT_SYNCED', status: 409 });
    expect(fake.custom.get('u1')).toBeUndefined();
    await expect(
      panel.choose({ user: 'u1', postId, data: { s: 'test.custom' }, value: 'maybe' }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_SETTING_CHOICE_INVALID', status: 400 });
    await expect(
      panel.choose({ user: 'u1', postId, data: { s: 'test.lead' }, value: undefined }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_SETTING_CHOICE_INVALID' });
    await expect(
      panel.choose({ user: 'u1', postId, data: { s: 'gone.setting' }, value: 'x' }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_SETTING_UNKNOWN', status: 404 });
    expect(fake.applied).toEqual([]);
  });

  it('a click on a panel that is not the latest, or after disconnect, applies nothing and says it is out of date', async () => {
    const old = await panel.open('u1');
    const latest = await panel.open('u1');
    expect(
      await panel.choose({ user: 'u1', postId: old.postId, data: { s: 'test.custom' }, value: 'yes' }),
    ).toEqual({
      kind: 'outdated',
      message: outdatedPanelText,
    });
    expect(fake.applied).toEqual([]);
    // Another user's panel post id is not theirs either.
    expect(
      (await panel.choose({ user: 'u2', postId: latest.postId, data: { s: 'test.custom' }, value: 'yes' }))
        .kind,
    ).toBe('outdated');
    await panel.remove('u1');
    expect(posts.posts.get(latest.postId)?.removed).toBe(true);
    expect(await new CalendarSettingsPanels(t.store.db).get('u1')).toBeUndefined();
    expect(
      (await panel.choose({ user: 'u1', postId: latest.postId, data: { s: 'test.custom' }, value: 'yes' }))
        .kind,
    ).toBe('outdated');
    await panel.remove('u1'); // nothing left: a no-op
  });
});

function ctx(user: string): CommandContext {
  return {
    userId: user as MmUserId,
    channelId: 'c' as MmChannelId,
    teamId: 't' as MmTeamId,
    isAdmin: false,
    isConnected: true,
    args: [],
    rest: '',
    requestId: 'r1',
    triggerId: '',
  };
}
