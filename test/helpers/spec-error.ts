// The message of the SpecError a parse throws (each problem on a line), failing if it throws none or another error.
import { expect } from 'vitest';
import { SpecError } from '../../src/core/spec/errors.js';

export function specErrorOf(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('expected a SpecError, got none');
}
