import type { SimContext } from '../context.ts';
import type { Notifier } from './notifier.ts';

export function createNotifier(_ctx: SimContext): Notifier {
  return { emit() {}, dispose() {} };
}
