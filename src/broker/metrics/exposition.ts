// Prometheus text exposition format 0.0.4, written by hand: the broker exports a fixed set of counters,
// gauges and histograms, which takes a few dozen lines, while a client library would add a dependency
// to the single executable and allocate label objects on the produce/fetch hot path. Format:
//   # HELP <name> <help text, \ and newline escaped>
//   # TYPE <name> counter|gauge|histogram
//   <name>{<label>="<value, \ " and newline escaped>",...} <value>
// Histograms: <name>_bucket{...,le="<bound>"} <cumulative count> for each bound and le="+Inf", then
// <name>_sum and <name>_count.

export type Labels = Readonly<Record<string, string | number>>;

export interface Sample {
  labels: Labels;
  value: number;
}

/** Request latency bounds in seconds (Fetch long polls land in the upper buckets by design). */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Non-cumulative bucket counts (one per bound, plus +Inf); rendered cumulative. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: Iterable<Sample>): void {
    this.header(name, type, help);
    for (const s of samples) this.lines.push(`${name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }

  histograms(name: string, help: string, series: Iterable<{ labels: Labels; histogram: Histogram }>): void {
    this.header(name, 'histogram', help);
    for (const { labels, histogram } of series) {
      let cumulative = 0;
      histogram.bounds.forEach((bound, i) => {
        cumulative += histogram.counts[i] as number;
        this.lines.push(`${name}_bucket${labelText({ ...labels, le: formatValue(bound) })} ${cumulative}`);
      });
      this.lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${histogram.count}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${formatValue(histogram.sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${histogram.count}`);
    }
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  private header(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
