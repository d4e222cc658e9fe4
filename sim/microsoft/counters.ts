/**
 * Call and delivery counters for the control API (`GET /_sim/counters`). Keys are bounded by the route table,
 * the apps and the users of the tenant, so they cannot grow without limit.
 */
export interface NotificationCounters {
  validations: number;
  sent: number;
  retried: number;
  dropped: number;
  lifecycle: number;
}

export class Counters {
  readonly perRoute = new Map<string, number>();
  readonly perApp = new Map<string, number>();
  readonly perUser = new Map<string, number>();
  readonly perStatus = new Map<number, number>();
  notifications: NotificationCounters = { validations: 0, sent: 0, retried: 0, dropped: 0, lifecycle: 0 };

  countCall(routeKey: string, appId: string | null, userId: string | null): void {
    bump(this.perRoute, routeKey);
    if (appId) bump(this.perApp, appId);
    if (userId) bump(this.perUser, userId);
  }

  countStatus(status: number): void {
    bump(this.perStatus, status);
  }

  reset(): void {
    this.perRoute.clear();
    this.perApp.clear();
    this.perUser.clear();
    this.perStatus.clear();
    this.notifications = { validations: 0, sent: 0, retried: 0, dropped: 0, lifecycle: 0 };
  }

  snapshot(): Record<string, unknown> {
    return {
      routes: Object.fromEntries(this.perRoute),
      apps: Object.fromEntries(this.perApp),
      users: Object.fromEntries(this.perUser),
      statuses: Object.fromEntries(this.perStatus),
      notifications: { ...this.notifications },
    };
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
