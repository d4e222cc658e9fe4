import type { SimContext } from '../context.ts';
import type { Seed } from '../seed.ts';

export function seedTeamsContent(_ctx: SimContext, _seed: Seed): void {}
