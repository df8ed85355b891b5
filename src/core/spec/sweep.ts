/**
 * Sweeps: a grid over numeric spec fields, `sweep: {"verifier.bias": [0, 0.1], "verifier.radius":
 * {"start": 0.01, "stop": 0.5, "count": 150}}`. Cells are the Cartesian product, the first axis
 * varying slowest; every cell runs in the same dispatches as one more batch dimension.
 */
import { z } from 'zod';
import { SpecError, describeValue, quotedList, type SpecIssue } from './errors.js';
import { fields, finiteNumber, integerBetween } from './fields.js';
import { parseWithSchema } from './zod-issues.js';

/** More cells than this would not fit one run's buffers sensibly; split the grid. */
export const MAX_SWEEP_CELLS = 1_000_000;

const axisSchema = z.union([
  z.array(finiteNumber, { error: 'must be an array of numbers' }).min(1, { error: 'must list at least one value' }),
  fields({ start: finiteNumber, stop: finiteNumber, count: integerBetween(1, MAX_SWEEP_CELLS) }),
], { error: 'must be a list of numbers or {"start", "stop", "count"}' });

const sweepSchema = z.record(z.string(), axisSchema, { error: 'must be an object mapping field paths to values' });

export type SweepInput = z.input<typeof sweepSchema>;
/** Field path → its values, in axis order. */
export type ResolvedSweep = Record<string, number[]>;

/**
 * `count` evenly spaced values from start to stop, both included exactly: start + (stop − start)
 * rounds (0.1 + (1e-300 − 0.1) is 0), so the last value is `stop` itself, not that sum.
 */
export function linspace(start: number, stop: number, count: number): number[] {
  return count === 1 ? [start] : Array.from({ length: count }, (_, i) => (i === count - 1 ? stop : start + ((stop - start) * i) / (count - 1)));
}

/** Validates a sweep against the fields the model lets vary; throws a SpecError naming `sweep.<path>`. */
export function resolveSweep(input: unknown, sweepable: readonly string[]): ResolvedSweep {
  const parsed = parseWithSchema(fields({ sweep: sweepSchema }), { sweep: input }).sweep;
  const issues: SpecIssue[] = [];
  const sweep: ResolvedSweep = {};
  for (const [path, axis] of Object.entries(parsed)) {
    if (!sweepable.includes(path)) {
      issues.push({ path: `sweep.${path}`, message: `is not a field a sweep can vary; sweepable: ${quotedList(sweepable)}` });
      continue;
    }
    sweep[path] = Array.isArray(axis) ? axis : linspace(axis.start, axis.stop, axis.count);
  }
  const cells = Object.values(sweep).reduce((product, values) => product * values.length, 1);
  if (!Object.keys(parsed).length) issues.push({ path: 'sweep', message: `must name at least one field, got ${describeValue(input)}` });
  if (cells > MAX_SWEEP_CELLS) issues.push({ path: 'sweep', message: `must have at most ${MAX_SWEEP_CELLS} cells, got ${cells}` });
  if (issues.length) throw new SpecError(issues);
  return sweep;
}

/** Every cell's field values: the Cartesian product, first axis slowest. */
export function sweepCells(sweep: ResolvedSweep): Record<string, number>[] {
  return Object.entries(sweep).reduce<Record<string, number>[]>(
    (cells, [path, values]) => cells.flatMap((cell) => values.map((value) => ({ ...cell, [path]: value }))),
    [{}],
  );
}
