import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config/index.ts';

export type { Logger } from 'pino';

/**
 * Field paths that may carry secrets anywhere in a log object. pino removes their values before
 * serialising, so a token passed by mistake never reaches the log (house rule: secrets are never logged).
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.secret',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'password',
  'secret',
];

/**
 * The process logger. JSON lines by default; pretty, synchronous output when format is "pretty" or when
 * "auto" and stdout is a terminal. `destination` lets tests capture lines.
 */
export function createLogger(config: Pick<Config, 'log'>, destination?: NodeJS.WritableStream): Logger {
  const usePretty =
    config.log.format === 'pretty' || (config.log.format === 'auto' && process.stdout.isTTY === true);
  const options = {
    level: config.log.level,
    base: { service: 'mm365' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (usePretty)
    return pino(
      options,
      pretty({ destination: destination ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss.l' }),
    );
  return destination ? pino(options, destination) : pino(options);
}
