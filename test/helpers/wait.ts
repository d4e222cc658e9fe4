/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs` with
 * `what` in the message. For waiting on asynchronous effects (a job ran, a row appeared), never for
 * padding a race: every caller asserts on the observed effect afterwards.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
