/**
 * Zod building blocks that carry synthloop's messages: each states the allowed range in words
 * (`must be an integer between 1 and 64`), and `zod-issues.ts` appends the value given. Every
 * schema in src/spec is built from these, so no raw zod message reaches a user.
 */
import { z } from 'zod';
import { quotedList } from './errors.js';
import { didYouMean } from './suggest.js';

export const finiteNumber = z.number({ error: 'must be a finite number' });

export function integerBetween(min: number, max: number) {
  const error = `must be an integer between ${min} and ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function integerAtLeast(min: number) {
  const error = `must be an integer ≥ ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
}

export function numberAtLeast(min: number) {
  const error = `must be a number ≥ ${min}`;
  return z.number({ error }).min(min, { error });
}

export function numberAbove(min: number) {
  const error = `must be a number > ${min}`;
  return z.number({ error }).gt(min, { error });
}

/** A number > min and ≤ max; `maxName` is how max reads in the message (`1e16`, `π (3.14…)`). */
export function numberAboveAtMost(min: number, max: number, maxName = String(max)) {
  const error = `must be a number > ${min} and ≤ ${maxName}`;
  return z.number({ error }).gt(min, { error }).max(max, { error });
}

/** A number in [min, max]; `maxName` is how max reads in the message. */
export function numberBetween(min: number, max: number, maxName = String(max)) {
  const error = `must be a number between ${min} and ${maxName}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: `must be one of ${quotedList(values)}` });
}

export function numberList() {
  return z.array(finiteNumber, { error: 'must be an array of numbers' });
}

/**
 * An object whose every field is known. Unknown fields are errors (a misspelt optional field
 * would otherwise be silently ignored); zod reports them as one issue listing the keys, so the
 * message holds one line per key, in the issue's key order, which `zod-issues.ts` splits back
 * into one issue per field.
 */
export function fields<const Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `unknown field${didYouMean(key, known) || `; fields here: ${known.join(', ')}`}`).join('\n')
      : 'must be an object',
  });
}

/** A union of `fields` objects told apart by their `kind`. */
export function tagged<const Options extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(options: Options) {
  const kinds = quotedList(options.flatMap((option) => [...(option._zod.propValues.kind ?? [])].map(String)));
  return z.discriminatedUnion('kind', options, {
    // A wrong kind is reported on `…kind`; a value that is no object at all on the field itself.
    error: (issue) => issue.code === 'invalid_union' ? `must be one of ${kinds}` : `must be an object with "kind": one of ${kinds}`,
  });
}
