/**
 * Runs a zod schema and turns its issues into SpecIssues, each naming the dotted
 * path, the message from `fields.ts` and the value given (looked up in the input by path).
 */
import { z } from 'zod';
import { SpecError, describeValue, type SpecIssue } from './errors.js';

type Path = readonly PropertyKey[];

/** The name a problem with the whole input is reported under. */
const ROOT = 'spec';

/** A key as a path segment: as is, or quoted where it would not read as one (`""`, `"a.b"`). */
const segment = (key: PropertyKey) => {
  const text = String(key);
  return text === '' || text.includes('.') ? JSON.stringify(text) : text;
};

function joinPath(path: Path): string {
  return path.length ? path.map(segment).join('.') : ROOT;
}

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A branch that failed on the type of the value itself (`n: "x"` against the number branch). */
function failedAtRoot(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.length === 1 && issues[0].code === 'invalid_type' && issues[0].path.length === 0;
}

function toSpecIssues(issue: z.core.$ZodIssue, prefix: Path, input: unknown): SpecIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // A number-or-object field given an object: report the object branch's own problems
    // (`n.slope: …`) rather than "matches neither".
    const deeper = issue.errors.filter((branch) => !failedAtRoot(branch));
    if (deeper.length === 1) return deeper[0].flatMap((inner) => toSpecIssues(inner, path, input));
  }
  if (issue.code === 'unrecognized_keys') {
    const lines = issue.message.split('\n');
    return issue.keys.map((key, i) => ({ path: joinPath([...path, key]), message: lines[i] ?? 'unknown field' }));
  }
  return [{ path: joinPath(path), message: `${issue.message}, got ${describeValue(valueAt(input, path))}` }];
}

/** For any schema built without a message of its own: still our style, never zod's text. */
const fallbackMessage: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' ? `must be of type ${issue.expected}` : 'is not allowed here';

/** The schema's output, or a SpecError listing every problem, one per field. */
export function parseWithSchema<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input, { error: fallbackMessage });
  if (result.success) return result.data;
  throw new SpecError(result.error.issues.flatMap((issue) => toSpecIssues(issue, [], input)));
}
