/**
 * Failures on demand for the API: rate limits (429 with Vercel's error body, x-ratelimit-* and Retry-After),
 * server errors and slow answers, each for the next N matching requests. Also a request budget whose
 * x-ratelimit-* headers go on every answer, so clients that read them see real numbers.
 */

/** Which requests a fault applies to; omitted fields match everything. */
export interface FaultMatch {
  /** Substring of the path (without query), or a RegExp tested against it. */
  path?: string | RegExp;
  method?: string;
}

export interface RateLimitFault extends FaultMatch {
  /** Seconds in Retry-After, also added to now for x-ratelimit-reset; default 1. */
  retryAfterSec?: number;
  /** x-ratelimit-limit; default the budget's limit. */
  limit?: number;
}

export interface ServerErrorFault extends FaultMatch {
  /** Default 500. */
  status?: number;
  code?: string;
  message?: string;
}

type Fault =
  | { kind: 'rate-limit'; left: number; spec: RateLimitFault }
  | { kind: 'server-error'; left: number; spec: ServerErrorFault }
  | { kind: 'delay'; left: number; spec: FaultMatch & { ms: number } };

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: Record<string, unknown> };
}

export class Faults {
  private faults: Fault[] = [];
  private readonly budget: { limit: number; windowMs: number };
  private windowStart = Date.now();
  private used = 0;

  constructor(budget: { limit: number; windowMs: number }) {
    this.budget = budget;
  }

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  clear(): void {
    this.faults = [];
  }

  /** Repetitions not used up yet, for tests that check every fault fired. */
  pending(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }

  private take<K extends Fault['kind']>(kind: K, method: string, path: string) {
    const fault = this.faults.find((f): f is Extract<Fault, { kind: K }> => {
      const { spec } = f;
      if (f.kind !== kind || (spec.method && spec.method.toUpperCase() !== method)) return false;
      return (
        spec.path === undefined ||
        (typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path))
      );
    });
    if (fault) fault.left -= 1;
    this.faults = this.faults.filter((f) => f.left > 0);
    return fault;
  }

  /** Milliseconds to wait before answering this request. */
  delayFor(method: string, path: string): number {
    return this.take('delay', method, path)?.spec.ms ?? 0;
  }

  /** Counts the request against the budget; the x-ratelimit-* headers and whether it is spent. */
  countRequest(): { headers: Record<string, string>; exhausted: boolean } {
    const now = Date.now();
    if (now - this.windowStart >= this.budget.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used += 1;
    return {
      headers: {
        'x-ratelimit-limit': String(this.budget.limit),
        'x-ratelimit-remaining': String(Math.max(0, this.budget.limit - this.used)),
        'x-ratelimit-reset': String(Math.ceil((this.windowStart + this.budget.windowMs) / 1000)),
      },
      exhausted: this.used > this.budget.limit,
    };
  }

  /** The fault answer for this request, or undefined to handle it normally. */
  respond(method: string, path: string, exhausted: boolean): FaultResponse | undefined {
    const limited = this.take('rate-limit', method, path);
    if (limited || exhausted) {
      const windowSec = Math.ceil(this.budget.windowMs / 1000);
      const retryAfter = limited?.spec.retryAfterSec ?? (exhausted ? windowSec : 1);
      const reset = Math.ceil(Date.now() / 1000) + retryAfter;
      const total = limited?.spec.limit ?? this.budget.limit;
      const message = `Rate limit exceeded. Try again in ${retryAfter} seconds.`;
      return {
        status: 429,
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': String(total),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        },
        body: {
          error: { code: 'rate_limited', message, limit: { remaining: 0, reset: reset * 1000, total } },
        },
      };
    }
    const failed = this.take('server-error', method, path)?.spec;
    if (!failed) return undefined;
    const code = failed.code ?? 'internal_server_error';
    const message = failed.message ?? 'An unexpected internal error occurred.';
    return { status: failed.status ?? 500, headers: {}, body: { error: { code, message } } };
  }
}
