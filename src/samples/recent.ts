/**
 * The most recent latencies in a fixed ring, for a live "p99 so far" that costs one array store per
 * response. A percentile query on the step's packed HDR histogram takes ~1.4 ms (npm run bench:progress: it walks
 * every bucket), which on the measuring thread would stall the very requests being timed; sorting
 * a quickselect over this ring takes tens of µs. Display only: results always come from the histograms.
 */
export class RecentLatencies {
  private readonly ring: Float64Array;
  private count = 0;

  constructor(readonly capacity = 2048) {
    this.ring = new Float64Array(capacity);
  }

  record(us: number): void {
    this.ring[this.count % this.capacity] = us;
    this.count++;
  }

  /** Nearest-rank percentile (0–100) of the values in the ring, µs; null when empty. */
  percentile(p: number): number | null {
    const n = Math.min(this.count, this.capacity);
    if (n === 0) return null;
    return select(this.ring.slice(0, n), Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1)));
  }
}

/** The k-th smallest value (0-based) by quickselect, O(n) on average; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
