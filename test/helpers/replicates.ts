// A stepper run generation after generation, and Stepper.replicateRows cut by cell (every array is
// cell-major with a fixed count per replicate).
import type { GenerationRecord, ReplicateRows, Stepper } from '../../src/core/engine/model.js';

export function rowsByCell(rows: ReplicateRows, cells: number): ReplicateRows[] {
  return Array.from({ length: cells }, (_, c) => Object.fromEntries(Object.entries(rows).map(([name, values]) => {
    const size = values.length / cells;
    return [name, values.subarray(c * size, (c + 1) * size)];
  })) as ReplicateRows);
}

/**
 * Every cell's statistics of generations 0..T (T = `generations`), and into `rows` each
 * generation's replicate rows by cell when given; destroys the stepper.
 */
export async function stepAll<G extends GenerationRecord>(stepper: Stepper<G>, generations: number, cells: number, rows?: ReplicateRows[][]): Promise<G[][]> {
  const out: G[][] = [];
  try {
    for (let t = 0; t <= generations; t++) {
      out.push(await stepper.step(t));
      rows?.push(rowsByCell(await stepper.replicateRows(), cells));
    }
  } finally {
    stepper.destroy();
  }
  return out;
}
