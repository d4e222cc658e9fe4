/**
 * How long to wait before the next attempt, from what Mattermost said. Both headers are *seconds from now*:
 * `Retry-After` (RFC 9110 also allows an HTTP date, which we honour) and `X-RateLimit-Reset`, which the
 * server's limiter sends as relative seconds although its docs call it an epoch (reference §1.18). When
 * neither is present (5xx, network errors), exponential backoff with full jitter from `baseMs`.
 */
export function retryDelayMs(
  headers: Headers | undefined,
  attempt: number,
  now: number,
  opts: { baseMs: number; maxMs: number; random?: () => number },
): number {
  const fromHeader = headerDelayMs(headers, now);
  if (fromHeader !== undefined) return Math.min(fromHeader, opts.maxMs);
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The delay a 429/503 asked for, or undefined when it asked for none we can read. */
export function headerDelayMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Number(reset) * 1000;
  return undefined;
}
