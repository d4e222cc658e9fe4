import { z } from 'zod';
import { accountsSection } from './accounts.ts';
import { databaseSection } from './database.ts';
import { jobsSection } from './jobs.ts';
import { logSection } from './log.ts';
import { mattermostSection } from './mattermost.ts';
import { microsoftSection } from './microsoft.ts';
import { serverSection } from './server.ts';
import { vaultSection } from './vault.ts';

/**
 * The root config: one section per area, each in its own file. A new area adds its section here and
 * nowhere else; env names, masking and docs follow from the section's key metadata.
 */
export const configSchema = z.strictObject({
  server: serverSection.prefault({}),
  database: databaseSection.prefault({}),
  log: logSection.prefault({}),
  vault: vaultSection.prefault({}),
  jobs: jobsSection.prefault({}),
  mattermost: mattermostSection.prefault({}),
  microsoft: microsoftSection.prefault({}),
  accounts: accountsSection.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
