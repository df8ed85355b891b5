/**
 * The presets as the demo offers them: the engine's PRESETS (src/models/<model>/presets.ts) with sizes a
 * browser runs in seconds — at most DEMO_REPLICATES replicates, or a preset's own smaller grid
 * (`demoGrid`: yi-grid's 30 × 15 instead of the paper's 300 × 150) — and an explicit seed, so a shared link names it.
 */
import { PRESETS, DEFAULT_PRESET, type PresetSpec } from '../models/index.js';
import { PAPERS } from '../models/papers.js';

export const DEMO_REPLICATES = 1024;
export const DEMO_DEFAULT_PRESET = DEFAULT_PRESET;
export const DEFAULT_SEED = 1;

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** The preset's spec as the demo runs it (a fresh copy). */
export function demoPresetSpec(name: string): Record<string, unknown> {
  const preset = PRESETS[name];
  if (!preset) throw new Error(`unknown preset "${name}"; presets: ${presetNames().join(', ')}`);
  const spec = structuredClone(preset.spec) as PresetSpec & Record<string, unknown>;
  const counts = preset.demoGrid;
  if (counts && spec.sweep) {
    // A smaller grid, each cell with the replicates the paper used.
    for (const [path, count] of Object.entries(counts)) {
      const axis = (spec.sweep as Record<string, unknown>)[path];
      if (axis && typeof axis === 'object' && !Array.isArray(axis)) (axis as { count: number }).count = count;
    }
  } else if (typeof spec.replicates === 'number') {
    spec.replicates = Math.min(spec.replicates, DEMO_REPLICATES);
  }
  spec.seed ??= DEFAULT_SEED;
  return spec as Record<string, unknown>;
}

/** The preset menu's entry: its name and what it shows in a few words. */
export function presetLabel(name: string): string {
  return `${name} — ${PRESETS[name].title}`;
}

/** What the preset reproduces, for the page's caption: each paper linked, then what the run shows. */
export function presetCaption(name: string): Node[] {
  const preset = PRESETS[name];
  const nodes: Node[] = [];
  preset.papers.forEach((id, i) => {
    const link = document.createElement('a');
    link.href = PAPERS[id].url;
    link.title = PAPERS[id].title;
    link.textContent = PAPERS[id].cite;
    nodes.push(...(i > 0 ? [document.createTextNode('; ')] : []), link);
  });
  nodes.push(document.createTextNode(`: ${preset.shows}`));
  const grid = gridNote(name);
  if (grid) nodes.push(document.createTextNode(` ${grid}`));
  return nodes;
}

/** What the demo runs where it shrinks a preset's grid: `This page runs a 30 × 15 grid …`. */
export function gridNote(name: string): string | undefined {
  const counts = PRESETS[name]?.demoGrid;
  const sweep = PRESETS[name]?.spec.sweep as Record<string, { count?: number }> | undefined;
  if (!counts || !sweep) return undefined;
  const paths = Object.keys(sweep);
  const shown = paths.map((p) => counts[p] ?? sweep[p]?.count).join(' × ');
  const paper = paths.map((p) => sweep[p]?.count).join(' × ');
  const replicates = (PRESETS[name].spec as { replicates?: number }).replicates;
  return `(This page runs a ${shown} grid (${paths.join(' × ')})${replicates ? ` of ${replicates} replicates per cell` : ''}, not the paper's ${paper}, to finish in seconds; the same preset from the command line runs the full grid.)`;
}

/** The preset whose demo spec equals `spec`, if any (so a shared link shows its name). */
export function matchingPreset(spec: unknown): string | undefined {
  const text = canonical(spec);
  return presetNames().find((name) => canonical(demoPresetSpec(name)) === text);
}

/** JSON with object keys sorted, so key order does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}
