// The targets (issue 5), per workload figure. `clients` limits a target to some clients;
// `best` says which way is better. Figures without a target are reported only.
export const TARGETS = {
  // "≥ 1,000k with librdkafka": from Python (rdkafka) and from C (kcat).
  'P/100 B/records/s': { ours: 700_000, rdkafka: 1_000_000, kcat: 1_000_000, best: 'high', text: { ours: '≥ 700k', rdkafka: '≥ 1,000k', kcat: '≥ 1,000k' } },
  'P/1 KiB/MB/s': { all: 400, best: 'high', text: '≥ 400' },
  'P/100 B/broker CPU µs/record': { all: 0.5, best: 'low', text: '≤ 0.5' },
  'C/100 B/records/s': { all: 1_000_000, best: 'high', text: '≥ 1,000k' },
  'C/100 B/broker CPU µs/record': { all: 0.1, best: 'low', text: '≤ 0.1' },
  'F/100 B ×4/aggregate records/s': { all: 1_500_000, best: 'high', text: '≥ 1,500k' },
  'L/1 rec/ms/p50 ms': { all: 0.5, best: 'low', text: '≤ 0.5' },
  'L/1 rec/ms/p99 ms': { all: 1.0, best: 'low', text: '≤ 1.0' },
  'L/1 rec/ms/p99.9 ms': { all: 3.0, best: 'low', text: '≤ 3.0' },
  'S/CLI broker/spawn → ApiVersions ms': { all: 150, best: 'low', text: '≤ 150' },
  'S/startBroker()/resolve ms': { all: 50, best: 'low', text: '≤ 50' },
  'D/100 B/bytes on disk per record': { all: 110, best: 'low', text: '≤ 110' },
};

/** { text, met } for a row's median, or null when the issue sets no target for it. */
export function judge(workload, variant, figure, client, median) {
  const t = TARGETS[`${workload}/${variant}/${figure}`];
  if (!t) return null;
  const limit = t.all ?? t[client];
  if (limit === undefined) return null;
  const text = typeof t.text === 'string' ? t.text : t.text[client];
  return { text, limit, met: median === null ? null : t.best === 'high' ? median >= limit : median <= limit };
}
