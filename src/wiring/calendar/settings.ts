import type { DailySummary } from '../../calendar/index.ts';
import { SettingsPanel, settingsPanelActionId } from '../../calendar/settings/panel.ts';
import type { SettingsCard, SettingsClick, SettingsPosts } from '../../calendar/settings/posts.ts';
import { WelcomeFlow, welcomeAnswerActionId } from '../../calendar/settings/welcome.ts';
import { summarySettings } from '../../calendar/summary/setting.ts';
import {
  type ActionContext,
  type AttachmentSpec,
  type MattermostEdge,
  MattermostError,
} from '../../mattermost/index.ts';
import type { CalendarPart, CalendarWiringDeps } from './part.ts';

/**
 * The settings panel (`/mscalendar settings`) and the welcome flow after connecting, over every calendar
 * part's settings (read lazily from `parts`, so parts listed after this one count too), plus the daily
 * summary's own settings. Posts go through the Mattermost edge's interactive DMs: controls signed for the
 * user and bound to the post; a click's reply redraws the post it was made on.
 */
export function settingsPart(
  deps: CalendarWiringDeps,
  opts: { summary: DailySummary; parts: () => readonly CalendarPart[] },
): CalendarPart & { panel: SettingsPanel; welcomeFlow: WelcomeFlow } {
  const mattermost = deps.mattermost;
  const settings = () => opts.parts().flatMap((p) => p.settings ?? []);
  const posts = settingsPosts(mattermost, deps.config.mattermost.url ?? '');
  const common = { db: deps.store.db, settings, posts, clock: deps.clock, log: deps.log };
  const panel = new SettingsPanel(common);
  const welcomeFlow = new WelcomeFlow({ ...common, jobs: deps.jobs });
  welcomeFlow.register();

  mattermost.registerAction({
    id: settingsPanelActionId,
    run: async (ctx: ActionContext<Record<string, unknown>>) => {
      const result = await panel.choose(clickOf(ctx));
      if (result.kind === 'outdated')
        return { update: { message: result.message, props: { attachments: [] } } };
      const attachments = await mattermost.interactive.boundAttachments(
        ctx.userId,
        ctx.postId,
        result.view.cards.map(toAttachment),
      );
      return { update: { message: result.view.message, props: { attachments } } };
    },
  });
  mattermost.registerAction({
    id: welcomeAnswerActionId,
    run: async (ctx: ActionContext<Record<string, unknown>>) => {
      const result = await welcomeFlow.answer(clickOf(ctx));
      if (result.kind === 'stale') return { ephemeralText: result.message };
      const attachments = await mattermost.interactive.boundAttachments(
        ctx.userId,
        ctx.postId,
        result.view.cards.map(toAttachment),
      );
      return { update: { message: result.view.message, props: { attachments } } };
    },
  });

  return {
    name: 'settings',
    panel,
    welcomeFlow,
    subcommands: [panel.subcommand()],
    welcome: [
      '- `/mscalendar settings` shows and changes all of this; a few questions follow in separate messages to set it up now.',
    ],
    settings: summarySettings(opts.summary),
    onConnected: async (user) => {
      await welcomeFlow.start(user);
    },
    onDisconnected: async (user) => {
      await welcomeFlow.cancel(user);
      await panel.remove(user);
    },
  };
}

/** Bot DMs with signed controls; links are Mattermost permalinks (`/_redirect/pl/<post>` finds the team). */
function settingsPosts(mattermost: MattermostEdge, siteUrl: string): SettingsPosts {
  return {
    dm: async (user, view, key) =>
      (
        await mattermost.interactive.dmAttachments(
          user,
          view.message,
          view.cards.map(toAttachment),
          key === undefined ? {} : { key },
        )
      ).id,
    remove: async (postId) => {
      try {
        await mattermost.rest.deletePost(postId);
      } catch (err) {
        // Already deleted (by the user, or an earlier attempt): the goal is met.
        if (err instanceof MattermostError && err.httpStatus === 404) return;
        throw err;
      }
    },
    link: (postId) => `${siteUrl.replace(/\/+$/, '')}/_redirect/pl/${postId}`,
  };
}

/** A card as a Mattermost attachment: its options as buttons (current = primary) or a select. */
function toAttachment(card: SettingsCard): AttachmentSpec {
  const c = card.control;
  if (!c) return { title: card.title, text: card.text };
  if (c.kind === 'select') {
    const current = c.options.find((o) => o.current);
    return {
      title: card.title,
      text: card.text,
      select: {
        actionId: c.actionId,
        name: 'Choose…',
        options: c.options.map((o) => ({ text: o.label, value: o.value })),
        ...(current ? { defaultOption: current.value } : {}),
        data: c.data,
      },
    };
  }
  return {
    title: card.title,
    text: card.text,
    buttons: c.options.map((o) => ({
      actionId: c.actionId,
      name: o.label,
      style: o.current ? 'primary' : 'default',
      data: { ...c.data, value: o.value },
    })),
  };
}

function clickOf(ctx: ActionContext<Record<string, unknown>>): SettingsClick {
  const data = ctx.data ?? {};
  return {
    user: ctx.userId,
    postId: ctx.postId,
    data,
    value: typeof data.value === 'string' ? data.value : ctx.selectedOption,
  };
}
