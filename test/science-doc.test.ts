// docs/science.md is what code and output cite: every closed form's "docs/science.md §n" names a
// section it has, and it, the README's preset table and the papers table agree on every link.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { experimentCells, modelOf, parseSpec, PRESETS } from '../src/models/index.js';
import { PAPERS } from '../src/models/papers.js';
import { sciencePath } from '../src/core/theory/science.js';

const science = readFileSync(sciencePath, 'utf8');
const readme = readFileSync('README.md', 'utf8');
const sections = new Set([...science.matchAll(/^## (\d+)\. /gm)].map((match) => Number(match[1])));

describe('docs/science.md', () => {
  it('has the sections §1–§9 that code and output cite', () => {
    expect([...sections]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it.each(Object.keys(PRESETS))('every closed form of preset %s cites a section it has', (name) => {
    const spec = parseSpec(PRESETS[name].spec);
    const { specs } = experimentCells(spec, 1);
    for (const closedForm of modelOf(spec).closedForms?.(specs[0]) ?? []) {
      const section = /^docs\/science\.md §(\d+): \S/.exec(closedForm.source);
      expect(section, closedForm.source).not.toBeNull();
      expect(sections.has(Number(section![1])), closedForm.source).toBe(true);
    }
  });
  it('links every paper by its URL', () => {
    for (const paper of Object.values(PAPERS)) expect(science).toContain(`](${paper.url})`);
  });
});

describe("the README's preset table", () => {
  it.each(Object.keys(PRESETS))('links the papers of %s', (name) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    expect(row, name).toBeDefined();
    for (const id of PRESETS[name].papers) expect(row).toContain(`](${PAPERS[id].url})`);
  });
});
