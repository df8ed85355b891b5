/**
 * The one error style for everything a user gives (spec fields, JSON files, --set edits):
 * every problem on its own line as `path: message`, the message naming the allowed range and
 * the value given, so a user can fix all of them in one go.
 */

export interface SpecIssue {
  /** Dotted path of the field, as `--set` takes it (`verifier.radius`, `theta.values.0`). */
  path: string;
  /** What is wrong, including the value given (`must be a number ≥ 0, got "wide"`). */
  message: string;
}

export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
    this.name = 'SpecError';
  }
}

const MAX_SHOWN = 80;

/** A value as a user would type it back: JSON for strings, arrays and objects; `nothing` for a missing field. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 1)}…` : json;
}

/** Allowed words as they would be written in JSON: `"a", "b", "c"`. */
export function quotedList(words: readonly string[]): string {
  return words.map((w) => JSON.stringify(w)).join(', ');
}
