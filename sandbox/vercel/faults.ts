/**
 * Failures on demand for the API: rate limits (429 with Vercel's error body, x-ratelimit-* and Retry-After),
 * server errors and slow responses, each for the next N matching requests. Also a per-token request budget
 * whose x-ratelimit-* headers go on every response, so clients that read them see real numbers.
 */

/** Which requests a fault applies to; omitted fields match everything. */
export interface FaultMatch {
  /** Substring of the path (without query), or a RegExp tested against it. */
  path?: string | RegExp;
  method?: string;
}

export interface RateLimitFault extends FaultMatch {
  /** Seconds sent in Retry-After and added to now for x-ratelimit-reset; default 1. */
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
  | { kind: 'delay'; left: number; ms: number; spec: FaultMatch };

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: Record<string, unknown> };
}

export interface RateBudget {
  limit: number;
  windowMs: number;
}

function matches(spec: FaultMatch, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  if (spec.path === undefined) return true;
  return typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path);
}

export class Faults {
  private faults: Fault[] = [];
  private readonly budget: RateBudget;
  private windowStart = Date.now();
  private used = 0;

  constructor(budget: RateBudget) {
    this.budget = budget;
  }

  rateLimit(times: number, spec: RateLimitFault = {}): void {
    this.faults.push({ kind: 'rate-limit', left: times, spec });
  }

  serverError(times: number, spec: ServerErrorFault = {}): void {
    this.faults.push({ kind: 'server-error', left: times, spec });
  }

  delay(times: number, ms: number, spec: FaultMatch = {}): void {
    this.faults.push({ kind: 'delay', left: times, ms, spec });
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults still armed (times left), for tests that check all were consumed. */
  pending(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }

  private take(kind: Fault['kind'], method: string, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.kind === kind && f.left > 0 && matches(f.spec, method, path));
    if (fault) {
      fault.left -= 1;
      this.faults = this.faults.filter((f) => f.left > 0);
    }
    return fault;
  }

  /** Milliseconds to wait before answering this request (0 when no delay fault matches). */
  delayFor(method: string, path: string): number {
    const fault = this.take('delay', method, path);
    return fault?.kind === 'delay' ? fault.ms : 0;
  }

  /** The x-ratelimit-* headers after counting this request against the budget. */
  countRequest(): { headers: Record<string, string>; exhausted: boolean } {
    const now = Date.now();
    if (now - this.windowStart >= this.budget.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used += 1;
    const remaining = Math.max(0, this.budget.limit - this.used);
    const reset = Math.ceil((this.windowStart + this.budget.windowMs) / 1000);
    return {
      headers: {
        'x-ratelimit-limit': String(this.budget.limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(reset),
      },
      exhausted: this.used > this.budget.limit,
    };
  }

  /** A fault response for this request, or undefined to handle it normally. */
  respond(method: string, path: string, exhausted: boolean): FaultResponse | undefined {
    const limited = this.take('rate-limit', method, path);
    if (limited?.kind === 'rate-limit' || exhausted) {
      const spec = limited?.kind === 'rate-limit' ? limited.spec : {};
      const retryAfter = spec.retryAfterSec ?? (exhausted ? Math.ceil(this.budget.windowMs / 1000) : 1);
      const resetSec = Math.ceil(Date.now() / 1000) + retryAfter;
      const total = spec.limit ?? this.budget.limit;
      return {
        status: 429,
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': String(total),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(resetSec),
        },
        body: {
          error: {
            code: 'rate_limited',
            message: `Rate limit exceeded. Try again in ${retryAfter} seconds.`,
            limit: { remaining: 0, reset: resetSec * 1000, resetMs: resetSec * 1000, total },
          },
        },
      };
    }
    const failed = this.take('server-error', method, path);
    if (failed?.kind === 'server-error') {
      return {
        status: failed.spec.status ?? 500,
        headers: {},
        body: {
          error: {
            code: failed.spec.code ?? 'internal_server_error',
            message: failed.spec.message ?? 'An unexpected internal error occurred.',
          },
        },
      };
    }
    return undefined;
  }
}
