/**
 * Per-generation values (samples per generation, real fraction, ridge λ): a number, or a
 * schedule evaluated at generation t, resolved once into an array indexed by t.
 */
import { z } from 'zod';
import { SpecError } from './errors.js';
import { fields, finiteNumber, numberList, tagged } from './fields.js';

const scheduleObject = tagged([
  fields({ kind: z.literal('constant'), value: finiteNumber }),
  // start + slope·t
  fields({ kind: z.literal('linear'), start: finiteNumber, slope: finiteNumber }),
  // start·ratio^t
  fields({ kind: z.literal('geometric'), start: finiteNumber, ratio: finiteNumber }),
  // c/(t+1)
  fields({ kind: z.literal('harmonic'), c: finiteNumber }),
  // values[t − first], one entry per generation
  fields({ kind: z.literal('list'), values: numberList() }),
]);

export const scheduleSchema = z.union([finiteNumber, scheduleObject], {
  error: 'must be a number or a schedule object with "kind": one of "constant", "linear", "geometric", "harmonic", "list"',
});

/** A bare number means the constant schedule. In formulas t is the generation number itself. */
export type ScheduleInput = z.infer<typeof scheduleSchema>;

function valueAt(input: ScheduleInput, t: number, first: number): number {
  if (typeof input === 'number') return input;
  switch (input.kind) {
    case 'constant': return input.value;
    case 'linear': return input.start + input.slope * t;
    case 'geometric': return input.start * input.ratio ** t;
    case 'harmonic': return input.c / (t + 1);
    case 'list': return input.values[t - first];
  }
}

const isConstant = (input: ScheduleInput) => typeof input === 'number' || input.kind === 'constant';

/**
 * The schedule's values for generations first..last, as an array indexed by generation t
 * (length last + 1). Entries before `first` are 0: placeholders for generations the field
 * does not govern (generation 0 fits n0 real samples), which the caller overwrites.
 *
 * `check` names what an evaluated value must be (`must be between 0 and 1`) or returns null;
 * values must also be finite (a geometric schedule can overflow). Throws a SpecError naming
 * `field`, the generation and the value.
 */
export function resolveSchedule(
  input: ScheduleInput, first: number, last: number, field: string, check: (value: number) => string | null,
): number[] {
  const count = last - first + 1;
  if (typeof input === 'object' && input.kind === 'list' && input.values.length !== count) {
    throw new SpecError([{ path: field, message: `list must have ${count} entries (generations ${first}..${last}), got ${input.values.length}` }]);
  }
  const values = new Array<number>(last + 1).fill(0);
  // A constant is the same at every generation: check it even where it governs none (T = 0),
  // so `n: -5` is an error whatever `generations` says.
  if (count <= 0 && isConstant(input)) {
    const value = valueAt(input, first, first);
    const problem = Number.isFinite(value) ? check(value) : 'must be finite';
    if (problem !== null) throw new SpecError([{ path: field, message: `${problem}, got ${value}` }]);
  }
  for (let t = first; t <= last; t++) {
    const value = valueAt(input, t, first);
    const problem = Number.isFinite(value) ? check(value) : 'must be finite';
    if (problem !== null) {
      const where = isConstant(input) ? '' : ` at generation ${t}`;
      throw new SpecError([{ path: field, message: `${problem}${where}, got ${value}` }]);
    }
    values[t] = value;
  }
  return values;
}

/** Short human form for summaries: `100`, `100 + 10·t`, `500/(t+1)`. */
export function describeSchedule(input: ScheduleInput): string {
  if (typeof input === 'number') return String(input);
  switch (input.kind) {
    case 'constant': return String(input.value);
    case 'linear': return `${input.start} + ${input.slope}·t`;
    case 'geometric': return `${input.start}·${input.ratio}^t`;
    case 'harmonic': return `${input.c}/(t+1)`;
    case 'list': return `list of ${input.values.length}`;
  }
}
