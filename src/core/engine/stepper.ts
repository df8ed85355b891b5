/**
 * The one way a model's stepper is built: from its backend runner (a GPU host, or a twin) and
 * its finisher (ModelDefinition.finish). The stepper keeps each cell's sufficient statistics of
 * the last step (what shards merge) and passes snapshots through.
 */
import type { CellSums } from './metrics.js';
import type { GenerationRecord, ReplicateRows, Stepper } from './model.js';
import type { Snapshot } from './snapshot.js';

/** What a backend does per generation and holds between generations. */
export interface Runner {
  /** Generation t of every cell: each cell's sufficient statistics, in cell order. */
  step(t: number): Promise<CellSums[]> | CellSums[];
  snapshot(): Promise<Snapshot> | Snapshot;
  /** A snapshot taken after generation t, into a runner that has not stepped yet. */
  restore(snapshot: Snapshot, t: number): Promise<void> | void;
  destroy(): void;
}

/** A stepper over `cells` on `runner`, finishing each cell's statistics with `finish`; `replicateRows` reads every replicate back. */
export function finishingStepper<S, G extends GenerationRecord>(
  cells: readonly S[], runner: Runner, finish: (t: number, cell: S, sums: CellSums) => G, replicateRows: () => Promise<ReplicateRows> | ReplicateRows): Stepper<G> {
  let last: CellSums[] = [];
  return {
    replicateRows: async () => replicateRows(),
    async step(t) {
      last = await runner.step(t);
      return last.map((sums, c) => finish(t, cells[c], sums));
    },
    sums: () => last,
    snapshot: async () => runner.snapshot(),
    restore: async (snapshot, t) => runner.restore(snapshot, t),
    destroy: () => runner.destroy(),
  };
}
