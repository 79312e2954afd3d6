/**
 * Failures on demand. A request is tagged with what it is ('twirp' and its method name, 'blob',
 * 'blob-upload' with 'block' or 'blocklist', 'blob-download', 'rest'; every request is 'any'), and
 * a fault names the tag it hits.
 */
export type FaultTarget =
  | 'any'
  | 'twirp'
  | 'CreateArtifact'
  | 'FinalizeArtifact'
  | 'ListArtifacts'
  | 'GetSignedArtifactURL'
  | 'DeleteArtifact'
  | 'blob'
  | 'blob-upload'
  | 'block'
  | 'blocklist'
  | 'blob-download'
  | 'rest';

export interface Faults {
  /** The next `count` requests that match `on` (default 'any') get `status` (default 500), unserved. */
  failNext(count: number, options?: { on?: FaultTarget; status?: number }): void;
  /** Every request that matches `on` waits `ms` before it is served; 0 turns it off. */
  slow(ms: number, on?: FaultTarget): void;
  reset(): void;
}

export class FaultPlan implements Faults {
  #failures: Array<{ on: FaultTarget; status: number; left: number }> = [];
  #delays = new Map<FaultTarget, number>();

  failNext(count: number, { on = 'any', status = 500 }: { on?: FaultTarget; status?: number } = {}): void {
    if (!(status >= 400 && status <= 599))
      throw new Error(`a fault status must be 4xx or 5xx, not ${status}`);
    this.#failures.push({ on, status, left: count });
  }

  slow(ms: number, on: FaultTarget = 'any'): void {
    if (ms > 0) this.#delays.set(on, ms);
    else this.#delays.delete(on);
  }

  reset(): void {
    this.#failures = [];
    this.#delays.clear();
  }

  /** The status to answer with instead of serving, if a fault claims this request. */
  take(tags: readonly string[]): number | undefined {
    const fault = this.#failures.find((f) => f.left > 0 && tags.includes(f.on));
    if (!fault) return undefined;
    fault.left--;
    return fault.status;
  }

  delay(tags: readonly string[]): number {
    return Math.max(0, ...[...this.#delays].filter(([on]) => tags.includes(on)).map(([, ms]) => ms));
  }
}
