// Stepper.replicateRows, cut by cell: every array is cell-major with a fixed count per replicate.
import type { ReplicateRows } from '../../src/core/engine/model.js';

export function rowsByCell(rows: ReplicateRows, cells: number): ReplicateRows[] {
  return Array.from({ length: cells }, (_, c) => Object.fromEntries(Object.entries(rows).map(([name, values]) => {
    const size = values.length / cells;
    return [name, values.subarray(c * size, (c + 1) * size)];
  })) as ReplicateRows);
}
