// `synthloop presets`: every preset with what it shows in a few words and the paper(s) whose
// result it reproduces, linked; `--json` adds the full description and the spec.
import { DEFAULT_PRESET, PRESETS, type PresetSpec } from '../models/index.js';
import { PAPERS, type Paper } from '../models/papers.js';
import { scienceUrl } from '../core/theory/science.js';

export interface PresetsCommandOptions {
  json?: boolean;
}

/** One preset as `synthloop presets --json` prints it. */
export interface PresetListing {
  name: string;
  /** `synthloop run` with no spec runs this one. */
  default: boolean;
  title: string;
  shows: string;
  papers: Paper[];
  spec: PresetSpec;
}

export function presetListings(): PresetListing[] {
  return Object.entries(PRESETS).map(([name, preset]) => ({
    name,
    default: name === DEFAULT_PRESET,
    title: preset.title,
    shows: preset.shows,
    papers: preset.papers.map((id) => PAPERS[id]),
    spec: preset.spec,
  }));
}

/** Per preset its name and title on one line, then one indented line per paper with its link. */
export function presetsText(listings: PresetListing[]): string {
  const label = (listing: PresetListing) => (listing.default ? `${listing.name} (default)` : listing.name);
  const width = Math.max(...listings.map((listing) => label(listing).length));
  const lines = listings.flatMap((listing) => [
    `${label(listing).padEnd(width)}  ${listing.title}`,
    ...listing.papers.map((paper) => `    ${paper.cite}  ${paper.url}`),
  ]);
  return [
    ...lines,
    '',
    'Run one: `synthloop run NAME`. What each shows in full, and its spec: `synthloop presets --json`.',
    `What the engine computes and why: ${scienceUrl}`,
  ].join('\n') + '\n';
}

export function presetsCommand(options: PresetsCommandOptions): number {
  const listings = presetListings();
  process.stdout.write(options.json ? JSON.stringify(listings, null, 2) + '\n' : presetsText(listings));
  return 0;
}
