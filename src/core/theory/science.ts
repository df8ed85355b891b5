/**
 * Where the science behind every closed form is written down: docs/science.md, cited as
 * "docs/science.md §n" (its numbered sections) and linked on GitHub wherever a relative path
 * would not resolve (a terminal, the demo page, an installed package).
 */

/** The document's path in the repository. */
export const sciencePath = 'docs/science.md';

/** The document on GitHub. */
export const scienceUrl = 'https://github.com/synthloop/synthloop/blob/main/docs/science.md';

/** A closed form's `source`: "docs/science.md §n: what it is". */
export function scienceSource(section: number, what: string): string {
  return `${sciencePath} §${section}: ${what}`;
}
