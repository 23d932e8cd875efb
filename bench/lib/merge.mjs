// `--only X --write`: replaces the rows and notes of the re-run workloads in an existing results.json
// and records the re-run, so one workload can be measured again without redoing the whole run.

const EXPAND = { P: ['P', 'C', 'D'], F: ['F'], L: ['L'], S: ['S'], M: ['M'], X: ['X'] };

export function mergeInto(old, fresh, only) {
  const affected = new Set(only.flatMap((w) => EXPAND[w] ?? [w]));
  const touches = (workloads) => [...workloads].some((w) => affected.has(w));
  return {
    machine: old.machine,
    mode: old.mode,
    counts: { ...fresh.counts, ...old.counts }, // a workload added since keeps its count
    elapsedS: old.elapsedS,
    rows: [...old.rows.filter((r) => !affected.has(r.workload)), ...fresh.rows],
    notes: [...old.notes.filter((n) => !touches(n.workloads)), ...fresh.notes],
    reruns: [
      // An earlier re-run of only these workloads left no rows behind: this one replaced them all.
      ...(old.reruns ?? []).filter((r) => !r.only.every((w) => only.includes(w))),
      { only, date: fresh.machine.date, elapsedS: fresh.elapsedS, loadAvgAtStart: fresh.machine.loadAvgAtStart, loadAvgAtEnd: fresh.machine.loadAvgAtEnd },
    ],
  };
}
