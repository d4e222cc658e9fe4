export { type ConfigKey, configKeys } from './keys.ts';
export { type LoadConfigOptions, loadConfig } from './load.ts';
export { maskedConfig } from './print.ts';
export { type Config, type ConfigInput, configSchema } from './schema.ts';
