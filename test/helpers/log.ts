import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/log.ts';

/** A JSON logger whose lines are kept in memory, for asserting what was (and was not) logged. */
export function captureLog(level: 'info' | 'debug' | 'warn' = 'info'): {
  log: Logger;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ log: { level, format: 'json' } }, sink);
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
