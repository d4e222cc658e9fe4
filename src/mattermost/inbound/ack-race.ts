/** The work finished in time (`value`), or is still running (`later` settles when it does). */
export type Raced<T> = { done: true; value: T } | { done: false; later: Promise<T> };

/**
 * Waits for `work` at most `ackMs`. Mattermost users expect an answer within about 3 s (house style rule 5),
 * so the routes answer "Working on it…" when this says not done, and deliver `later` themselves. Never
 * rejects: a failure of `work` inside the window is `later` rejecting (the routes already turn handler
 * errors into replies, so this is for our own bugs).
 */
export async function raceAck<T>(work: Promise<T>, ackMs: number): Promise<Raced<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  const guarded = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const first = await Promise.race([
    guarded,
    new Promise<typeof late>((resolve) => {
      timer = setTimeout(() => resolve(late), ackMs);
    }),
  ]);
  clearTimeout(timer);
  if (first !== late && first.ok) return { done: true, value: first.value };
  return { done: false, later: work };
}
