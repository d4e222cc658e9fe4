/**
 * Injected faults: the next `times` requests whose method and path match get the given error envelope
 * (after an optional delay), before auth or handlers run. Without `status` the fault only delays and the request
 * then runs normally (a slow server). Tests use them for 5xx/timeouts the real server gives under load; the
 * product must survive them.
 */
export interface FaultSpec {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** Path prefix to match, e.g. "/api/v4/posts". */
  path: string;
  /** Answer with this status; omit for a delay-only fault. */
  status?: number;
  id?: string;
  message?: string;
  /** How many requests to fail; default 1. */
  times?: number;
  /** Delay before answering, ms (real time, so a product timeout can trip). */
  delay_ms?: number;
}

interface ArmedFault {
  id: string;
  method: string | undefined;
  path: string;
  status: number | undefined;
  errorId: string;
  message: string;
  remaining: number;
  delayMs: number;
}

export class FaultInjector {
  #faults: ArmedFault[] = [];
  #next = 1;

  add(spec: FaultSpec): string {
    if (typeof spec.path !== 'string' || !spec.path.startsWith('/'))
      throw new TypeError('fault.path must start with /');
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
    ) {
      throw new TypeError('fault.status must be an HTTP status');
    }
    if (spec.status === undefined && !(typeof spec.delay_ms === 'number' && spec.delay_ms > 0)) {
      throw new TypeError('a fault needs a status, a delay_ms, or both');
    }
    const id = `fault-${this.#next++}`;
    this.#faults.push({
      id,
      method: spec.method?.toUpperCase(),
      path: spec.path,
      status: spec.status,
      errorId: spec.id ?? 'api.sim.injected_fault.app_error',
      message: spec.message ?? 'Injected fault.',
      remaining: spec.times ?? 1,
      delayMs: spec.delay_ms ?? 0,
    });
    return id;
  }

  clear(): void {
    this.#faults = [];
  }

  list(): ArmedFault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  async match(
    method: string,
    path: string,
  ): Promise<{ status: number; id: string; message: string } | undefined> {
    const fault = this.#faults.find((f) => (!f.method || f.method === method) && path.startsWith(f.path));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.status === undefined) return undefined;
    return { status: fault.status, id: fault.errorId, message: fault.message };
  }
}
