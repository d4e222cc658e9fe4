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

/** What the logger needs of the config: level and format; the admin copy settings are optional. */
export interface LogSettings {
  log: Pick<Config['log'], 'level' | 'format'> & Partial<Pick<Config['log'], 'adminLevel'>>;
}

/**
 * The process logger. JSON lines by default; pretty, synchronous output when format is "pretty" or when
 * "auto" and stdout is a terminal. `destination` lets tests capture lines. `adminCopy`, when given and
 * log.adminLevel is not "none", also receives every line at or above that level (see AdminLogForwarder).
 */
export function createLogger(
  config: LogSettings,
  destination?: NodeJS.WritableStream,
  adminCopy?: NodeJS.WritableStream,
): Logger {
  const usePretty =
    config.log.format === 'pretty' || (config.log.format === 'auto' && process.stdout.isTTY === true);
  const options = {
    level: config.log.level,
    base: { service: 'mm365' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Synchronous writes: the CLI exits right after its last line, and an async buffer would lose it.
  const main = (
    usePretty
      ? pretty({ destination: destination ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss.l' })
      : (destination ?? pino.destination({ dest: 1, sync: true }))
  ) as NodeJS.WritableStream;
  const adminLevel = config.log.adminLevel ?? 'none';
  if (!adminCopy || adminLevel === 'none') return pino(options, main);
  const streams: { level: string; stream: NodeJS.WritableStream }[] = [
    { level: adminLevel, stream: adminCopy },
  ];
  if (config.log.level !== 'silent') streams.push({ level: config.log.level, stream: main });
  // The logger's own level must let through the lowest level any stream wants.
  const lowest = Math.min(...streams.map((s) => pino.levels.values[s.level] ?? 30));
  return pino({ ...options, level: pino.levels.labels[lowest] ?? 'info' }, pino.multistream(streams));
}
