import { z } from 'zod';
import {
  InvitationNotices,
  maxCommentLength,
  type RsvpChoice,
  type RsvpOutcome,
} from '../../calendar/index.ts';
import type { ButtonSpec, DialogSpec, MattermostEdge } from '../../mattermost/index.ts';
import { createCalendarResponder } from '../../microsoft/calendar/index.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/** Action and dialog ids (constant, next to the builder that emits them). */
export const rsvpActionId = 'calendar.rsvp';
export const rsvpCommentActionId = 'calendar.rsvp-comment';
export const rsvpDialogId = 'calendar.rsvp-dialog';

const choice = z.enum(['accept', 'tentativelyAccept', 'decline']);
const rsvpData = z.object({ eventId: z.string().min(1), choice });
const commentData = z.object({ eventId: z.string().min(1) });
const dialogData = z.object({ eventId: z.string().min(1), postId: z.string().min(1) });

/** Accept / Tentative / Decline / Reply with comment…, each signed for the one user and post. */
export function rsvpButtons(eventId: string): ButtonSpec[] {
  const b = (name: string, c: RsvpChoice, style: ButtonSpec['style']): ButtonSpec => ({
    actionId: rsvpActionId,
    name,
    style,
    data: { eventId, choice: c },
  });
  return [
    b('Accept', 'accept', 'success'),
    b('Tentative', 'tentativelyAccept', 'default'),
    b('Decline', 'decline', 'danger'),
    { actionId: rsvpCommentActionId, name: 'Reply with comment…', data: { eventId } },
  ];
}

function commentDialog(): DialogSpec {
  return {
    callbackId: rsvpDialogId,
    title: 'Reply to the invitation',
    submitLabel: 'Send',
    elements: [
      {
        display_name: 'Response',
        name: 'response',
        type: 'select',
        options: [
          { text: 'Accept', value: 'accept' },
          { text: 'Tentative', value: 'tentativelyAccept' },
          { text: 'Decline', value: 'decline' },
        ],
      },
      {
        display_name: 'Comment',
        name: 'comment',
        type: 'textarea',
        optional: true,
        max_length: maxCommentLength,
        placeholder: 'Shown to the organizer with your answer',
      },
      {
        display_name: 'Send a response to the organizer',
        name: 'send',
        type: 'radio',
        default: 'yes',
        options: [
          { text: 'Yes', value: 'yes' },
          { text: 'No, update my calendar only', value: 'no' },
        ],
      },
    ],
  };
}

/**
 * The post after an answer: the same message, the attachment's line replaced by the outcome, and the buttons
 * signed again for the same user and post (the user may change their mind), or none when nothing is left
 * to answer. Buttons are re-signed rather than copied: Mattermost strips their integration from the posts
 * it returns (StripActionIntegrations), so the read post no longer holds them.
 */
async function answeredPost(
  mattermost: MattermostEdge,
  at: { userId: string; postId: string; eventId: string },
  outcome: RsvpOutcome,
): Promise<{ message: string; props: Record<string, unknown> }> {
  const post = await mattermost.rest.getPost(at.postId);
  const attachments = await mattermost.interactive.boundAttachments(at.userId, at.postId, [
    { text: outcome.status, buttons: outcome.buttons === 'keep' ? rsvpButtons(at.eventId) : [] },
  ]);
  return { message: post.message, props: { ...(post.props ?? {}), attachments } };
}

/**
 * Invitation DMs and RSVP (src/calendar/invitations): a listener on the shared sync, the DM queue, the
 * Graph responder, the RSVP buttons and the comment dialog, the setting and `/mscalendar notifications`.
 */
export function invitationsPart(
  deps: CalendarWiringDeps,
  shared: CalendarShared,
): CalendarPart & { invitations: InvitationNotices } {
  const { mattermost } = deps;
  const invitations = new InvitationNotices({
    db: deps.store.db,
    jobs: deps.jobs,
    clock: deps.clock,
    log: deps.log.child({ part: 'calendar.invitations' }),
    responder: createCalendarResponder({ asUser: (p, f) => deps.microsoft.asUser(p, f) }),
    messenger: {
      async send(dm) {
        if (!dm.rsvp) {
          await mattermost.messenger.dm(dm.user, dm.message, { key: dm.key });
          return;
        }
        await mattermost.interactive.dm(dm.user, dm.message, rsvpButtons(dm.rsvp.eventId), {
          key: dm.key,
          attachmentText: dm.rsvp.status,
        });
      },
    },
  });
  invitations.register();
  shared.sync.sync.onChanges(invitations.listener());

  mattermost.registerAction({
    id: rsvpActionId,
    run: async (ctx) => {
      const { eventId, choice: c } = rsvpData.parse(ctx.data);
      const outcome = await invitations.respond(ctx.userId, eventId, c);
      return {
        update: await answeredPost(mattermost, { userId: ctx.userId, postId: ctx.postId, eventId }, outcome),
        ...(outcome.ephemeral ? { ephemeralText: outcome.ephemeral } : {}),
      };
    },
  });
  mattermost.registerAction({
    id: rsvpCommentActionId,
    run: async (ctx) => {
      const { eventId } = commentData.parse(ctx.data);
      await ctx.openDialog(commentDialog(), { eventId, postId: ctx.postId });
      return {};
    },
  });
  mattermost.registerDialog({
    id: rsvpDialogId,
    run: async (ctx) => {
      if (ctx.cancelled) return {};
      const { eventId, postId } = dialogData.parse(ctx.data);
      const s = ctx.submission;
      const picked = choice.safeParse(s.response);
      const comment = typeof s.comment === 'string' ? s.comment : '';
      const errors: Record<string, string> = {};
      if (!picked.success) errors.response = 'Choose Accept, Tentative or Decline.';
      if (comment.length > maxCommentLength)
        errors.comment = `Keep it under ${maxCommentLength} characters (it has ${comment.length}).`;
      if (s.send !== undefined && s.send !== 'yes' && s.send !== 'no') errors.send = 'Choose Yes or No.';
      if (!picked.success || Object.keys(errors).length > 0) return { errors };
      const outcome = await invitations.respond(ctx.userId, eventId, picked.data, {
        comment,
        sendResponse: s.send !== 'no',
      });
      const redrawn = await answeredPost(mattermost, { userId: ctx.userId, postId, eventId }, outcome);
      await mattermost.rest.patchPost(postId, { props: redrawn.props });
      if (outcome.ephemeral)
        await mattermost.messenger.ephemeral(ctx.userId, ctx.channelId, outcome.ephemeral);
      return {};
    },
  });

  return {
    name: 'invitations',
    invitations,
    subcommands: [invitations.subcommand()],
    settings: [invitations.setting()],
    welcome: [
      '- A DM when you are invited to a meeting, or one changes, is cancelled or removed, with Accept / Tentative / Decline (`/mscalendar notifications off` to stop).',
    ],
    onDisconnected: (user) => invitations.remove(user),
  };
}
