/**
 * Counters and histograms for the per-request hot path, exposed through a
 * prom-client `Registry` (they implement the metric shape it renders).
 *
 * Why not prom-client's own `Counter`/`Histogram`: each `inc`/`observe` hashes
 * every label (21 for Istio's request metrics) and validates them, per call —
 * about 8 µs a request. Here a label set is looked up by the identity of the
 * labels object first (callers keep those objects per connection), and by its
 * content only the first time an object is seen, so one request costs a
 * WeakMap lookup and a few additions. The text exposition is prom-client's.
 */

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
  /** Histogram only: observations per bucket (not cumulative), the last one is `+Inf`. */
  buckets: number[] | undefined;
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Series by labels object, then by label content; one per distinct label set. */
class SeriesTable {
  private byObject = new WeakMap<Labels, Series>();
  private readonly byContent = new Map<string, Series>();

  constructor(private readonly bucketCount: number) {}

  get(labels: Labels): Series {
    const known = this.byObject.get(labels);
    if (known) return known;
    // JSON, not a joined string: no value (whatever a peer put in it) can pass for another label set.
    // Only the first sight of a labels object pays for it.
    const key = JSON.stringify(Object.entries(labels));
    let s = this.byContent.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0, buckets: this.bucketCount ? new Array<number>(this.bucketCount).fill(0) : undefined };
      this.byContent.set(key, s);
    }
    this.byObject.set(labels, s);
    return s;
  }

  all(): IterableIterator<Series> {
    return this.byContent.values();
  }

  clear(): void {
    this.byContent.clear();
    // Stale object entries point at dropped series; a fresh map forgets them.
    this.byObject = new WeakMap();
  }
}

/**
 * A counter keyed by label sets (`name` without `_total` is fine too: it is printed as given).
 *
 * @example
 * const c = new SeriesCounter('istio_requests_total', 'Requests');
 * registry.registerMetric(c as never);
 * c.inc({ response_code: '200' });
 */
export class SeriesCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly table = new SeriesTable(0);

  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels, by = 1): void {
    this.table.get(labels).value += by;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const s of this.table.all()) values.push({ labels: s.labels, value: s.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.table.clear();
  }
}

/**
 * A histogram keyed by label sets, with fixed upper bounds (ascending).
 *
 * @example
 * const h = new SeriesHistogram('istio_request_duration_milliseconds', 'Duration', [1, 5, 10]);
 * h.observe({ response_code: '200' }, 3); // le="5", le="10", le="+Inf" count it
 */
export class SeriesHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly table: SeriesTable;

  constructor(readonly name: string, readonly help: string, private readonly bounds: readonly number[]) {
    this.table = new SeriesTable(bounds.length + 1);
  }

  observe(labels: Labels, v: number): void {
    const s = this.table.get(labels);
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > (b[i] as number)) i++;
    const counts = s.buckets as number[];
    counts[i] = (counts[i] ?? 0) + 1;
    s.value += v;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const s of this.table.all()) {
      const counts = s.buckets as number[];
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i] as number;
        const le = i < this.bounds.length ? (this.bounds[i] as number) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.value });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.table.clear();
  }
}
