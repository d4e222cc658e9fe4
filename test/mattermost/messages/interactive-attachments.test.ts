import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../src/mattermost/index.ts';
import { type EdgeWorld, mm, type SimJson, startEdgeWorld, user } from '../harness.ts';

const runs: { selected: string | undefined; data: unknown; postId: string }[] = [];

/** Redraws the post it was clicked on with fresh controls bound to it, as the settings panel does. */
const pick: ActionDefinition<{ card: string }> = {
  id: 'test.pick',
  async run(ctx) {
    runs.push({ selected: ctx.selectedOption, data: ctx.data, postId: ctx.postId });
    return {
      update: {
        message: `picked ${ctx.selectedOption ?? (ctx.data as { value?: string }).value}`,
        props: {
          attachments: await world.edge.interactive.boundAttachments(ctx.userId, ctx.postId, [
            {
              title: 'Again',
              text: 'still here',
              buttons: [{ actionId: 'test.pick', name: 'X', data: { card: 'b' } }],
            },
          ]),
        },
      },
    };
  },
};
let world: EdgeWorld;

/** InteractivePosts with several attachments, select menus, and redraws bound to the clicked post. */
describe('interactive posts with attachments and selects', () => {
  beforeAll(async () => {
    world = await startEdgeWorld({ setup: (edge) => edge.registerAction(pick) });
  });
  afterAll(() => world.close());

  const act = (who: string, post: SimJson, attachment: number, action: number, body: unknown = {}) =>
    mm(
      world.sim,
      'POST',
      `/api/v4/posts/${post.id}/actions/${post.props.attachments[attachment].actions[action].id}`,
      {
        token: user(world.sim, who).token,
        body,
      },
    );

  it('posts one attachment per spec with buttons and a select; a choice reaches the handler as selectedOption', async () => {
    const alice = user(world.sim, 'alice');
    const post = await world.edge.interactive.dmAttachments(
      alice.id,
      'Settings',
      [
        {
          title: 'Mode',
          text: 'Current value: A',
          buttons: [
            { actionId: 'test.pick', name: 'A', style: 'primary', data: { card: 'a', value: 'a' } },
            { actionId: 'test.pick', name: 'B', data: { card: 'a', value: 'b' } },
          ],
        },
        {
          title: 'Time',
          text: 'Current value: 08:00',
          select: {
            actionId: 'test.pick',
            name: 'Choose…',
            options: [
              { text: '08:00', value: '08:00' },
              { text: '09:30', value: '09:30' },
            ],
            defaultOption: '08:00',
            data: { card: 'b' },
          },
        },
      ],
      { key: 'attachments-test-1' },
    );
    const stored = (await mm(world.sim, 'GET', `/api/v4/posts/${post.id}`, { token: alice.token })).body;
    expect(stored.message).toBe('Settings');
    const [mode, time] = stored.props.attachments;
    expect(mode).toMatchObject({ title: 'Mode', text: 'Current value: A' });
    expect(mode.actions.map((a: SimJson) => [a.type, a.name, a.style])).toEqual([
      ['button', 'A', 'primary'],
      ['button', 'B', 'default'],
    ]);
    expect(time.actions).toHaveLength(1);
    expect(time.actions[0]).toMatchObject({
      type: 'select',
      name: 'Choose…',
      default_option: '08:00',
      options: [
        { text: '08:00', value: '08:00' },
        { text: '09:30', value: '09:30' },
      ],
    });
    runs.length = 0;
    expect((await act('alice', stored, 1, 0, { selected_option: '09:30' })).status).toBe(200);
    expect(runs).toEqual([{ selected: '09:30', data: { card: 'b' }, postId: post.id }]);
    const redrawn = (await mm(world.sim, 'GET', `/api/v4/posts/${post.id}`, { token: alice.token })).body;
    expect(redrawn.message).toBe('picked 09:30');
    expect(redrawn.props.attachments).toHaveLength(1);
    // The redrawn controls are bound to this post and work.
    expect((await act('alice', redrawn, 0, 0)).status).toBe(200);
    expect(runs.at(-1)).toEqual({ selected: undefined, data: { card: 'b' }, postId: post.id });
    // Another user's click runs nothing.
    const before = runs.length;
    const bob = await act('bob', redrawn, 0, 0);
    expect(bob.status).not.toBe(500);
    expect(runs).toHaveLength(before);
    // The same key again (a retried job): the same post, not a second one.
    const again = await world.edge.interactive.dmAttachments(alice.id, 'Settings', [{ text: 'retry' }], {
      key: 'attachments-test-1',
    });
    expect(again.id).toBe(post.id);
  });

  it('deletePost deletes, and a second delete is a 404', async () => {
    const alice = user(world.sim, 'alice');
    const post = await world.edge.messenger.dm(alice.id, 'to delete');
    await world.edge.rest.deletePost(post.id);
    expect((await mm(world.sim, 'GET', `/api/v4/posts/${post.id}`, { token: alice.token })).status).toBe(404);
    await expect(world.edge.rest.deletePost(post.id)).rejects.toMatchObject({ httpStatus: 404 });
  });
});
