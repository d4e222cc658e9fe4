/**
 * Applies the content part of a seed (events, teams, chats) after users and apps exist. Kept apart from
 * seed.ts so the schema file does not import every resource module.
 */
import type { SimContext } from './context.ts';
import type { Seed } from './seed.ts';

export function applyContentSeed(_ctx: SimContext, _seed: Seed): void {}
