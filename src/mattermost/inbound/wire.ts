import { z } from 'zod';

/**
 * The payloads Mattermost POSTs to us, validated before anything else (house style rule 3). Unknown fields
 * are allowed (Mattermost adds mention maps and new fields over time); the ones we use must have their shape.
 */
const mmId = z.string().regex(/^[a-z0-9]{26}$/);

/** Slash command form (reference §1.9), x-www-form-urlencoded. */
export const commandForm = z.looseObject({
  token: z.string().optional(),
  team_id: mmId,
  channel_id: mmId,
  user_id: mmId,
  command: z.string().min(2).max(129),
  text: z.string().max(16_384).default(''),
  trigger_id: z.string().default(''),
  response_url: z.string().default(''),
  user_name: z.string().default(''),
});
export type CommandForm = z.output<typeof commandForm>;

/** Interactive action request (reference §1.10), JSON. */
export const actionRequest = z.looseObject({
  user_id: mmId,
  channel_id: mmId,
  team_id: z.union([mmId, z.literal('')]).optional(),
  post_id: mmId,
  trigger_id: z.string().default(''),
  context: z.record(z.string(), z.unknown()).default({}),
});
export type ActionRequest = z.output<typeof actionRequest>;

/** Dialog submission (reference §1.11), JSON. */
export const dialogSubmission = z.looseObject({
  type: z.string().optional(),
  callback_id: z.string(),
  state: z.string(),
  user_id: mmId,
  channel_id: mmId,
  team_id: z.union([mmId, z.literal('')]).optional(),
  submission: z.record(z.string(), z.unknown()).nullish(),
  cancelled: z.boolean().default(false),
});
export type DialogSubmissionRequest = z.output<typeof dialogSubmission>;
