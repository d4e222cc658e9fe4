import type { Clock } from '../clock.ts';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { MmUserId } from '../ids.ts';
import type {
  AccountRepository,
  ConnectedAccount,
  Feature,
  InactiveReason,
  MicrosoftIdentity,
} from './account.ts';
import { checkEmailPolicy } from './email-policy.ts';

export interface ConnectInput {
  mattermost: { userId: MmUserId; email: string };
  microsoft: MicrosoftIdentity;
  feature: Feature;
}

/**
 * The rules of connected accounts, over a repository (house style: core holds them, store persists them).
 * It decides; it sends nothing: callers turn results into DMs and token-cache deletions.
 */
export class AccountService {
  readonly #repo: AccountRepository;
  readonly #policy: Config['accounts'];
  readonly #clock: Clock;

  constructor(repo: AccountRepository, policy: Config['accounts'], clock: Clock) {
    this.#repo = repo;
    this.#policy = policy;
    this.#clock = clock;
  }

  get(mmUserId: MmUserId): Promise<ConnectedAccount | undefined> {
    return this.#repo.get(mmUserId);
  }

  /** Connected for `feature` and in good standing. */
  async isConnected(mmUserId: MmUserId, feature: Feature): Promise<boolean> {
    const account = await this.#repo.get(mmUserId);
    return account?.status === 'active' && account.features.includes(feature);
  }

  /** Connected for `feature`, but marked inactive (the session died): they must connect again. */
  async isInactive(mmUserId: MmUserId, feature: Feature): Promise<boolean> {
    const account = await this.#repo.get(mmUserId);
    return account?.status === 'inactive' && account.features.includes(feature);
  }

  /**
   * Records a successful Microsoft sign-in for a feature. Enforces, in order: the e-mail policy; one
   * Mattermost user per Microsoft account (MM365_ACCOUNT_TAKEN); one Microsoft account per Mattermost user
   * (MM365_ACCOUNT_OTHER_CONNECTED). Connecting again with the same account adds the feature and clears an
   * inactive state: that is how a user recovers from an expired connection.
   */
  async connect(input: ConnectInput): Promise<ConnectedAccount> {
    const { mattermost, microsoft, feature } = input;
    checkEmailPolicy(this.#policy, mattermost.email, microsoft);
    const holder = await this.#repo.findByMicrosoft(microsoft.tenantId, microsoft.entraUserId);
    if (holder && holder.mmUserId !== mattermost.userId) {
      throw new AppError(
        'MM365_ACCOUNT_TAKEN',
        `The Microsoft account ${microsoft.userPrincipalName} is already connected to another Mattermost user. It can be connected to one Mattermost user at a time: disconnect it there first, or ask your admin.`,
      );
    }
    const current = await this.#repo.get(mattermost.userId);
    if (current && current.microsoft.entraUserId !== microsoft.entraUserId) {
      throw new AppError(
        'MM365_ACCOUNT_OTHER_CONNECTED',
        `You are connected as ${current.microsoft.userPrincipalName}. To use ${microsoft.userPrincipalName} instead, disconnect first.`,
      );
    }
    const now = new Date(this.#clock.now());
    const account: ConnectedAccount = {
      mmUserId: mattermost.userId,
      microsoft,
      features: [...new Set([...(current?.features ?? []), feature])].sort(),
      status: 'active',
      inactiveReason: null,
      inactiveNotifiedAt: null,
      connectedAt: current?.connectedAt ?? now,
      updatedAt: now,
    };
    await this.#repo.save(account);
    return account;
  }

  /**
   * Drops a feature (or all of them). Returns what is left: `{ remaining: [] }` means the account is gone and
   * the caller must delete the user's tokens and subscriptions.
   */
  async disconnect(
    mmUserId: MmUserId,
    feature?: Feature,
  ): Promise<{ wasConnected: boolean; remaining: Feature[] }> {
    const current = await this.#repo.get(mmUserId);
    if (!current) return { wasConnected: false, remaining: [] };
    const remaining = feature ? current.features.filter((f) => f !== feature) : [];
    if (remaining.length === 0) await this.#repo.delete(mmUserId);
    else await this.#repo.save({ ...current, features: remaining, updatedAt: new Date(this.#clock.now()) });
    return { wasConnected: feature ? current.features.includes(feature) : true, remaining };
  }

  /**
   * A token can no longer refresh. Marks the account inactive so features skip it (nothing else fails
   * because of it). Returns true exactly once per outage: the caller then DMs the reconnect link.
   */
  markInactive(mmUserId: MmUserId, reason: InactiveReason): Promise<boolean> {
    return this.#repo.markInactive(mmUserId, reason, new Date(this.#clock.now()));
  }

  listActive(feature: Feature, after: MmUserId | null, limit: number): Promise<ConnectedAccount[]> {
    return this.#repo.listActive(feature, after, limit);
  }
}
