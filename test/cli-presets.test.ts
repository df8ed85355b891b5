// `synthloop presets`, the built command run as a user would: every preset with its title and
// the papers it reproduces, linked; --json the same as data.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEFAULT_PRESET, PRESETS } from '../src/models/index.js';
import { PAPERS } from '../src/models/papers.js';
import type { PresetListing } from '../src/cli/presets.js';

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** A paper link: an arXiv abstract page or a DOI. */
const PAPER_URL = /^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{4,5}|doi\.org\/10\.\d{4,}\/\S+)$/;

describe('synthloop presets', () => {
  const result = synthloop('presets');
  const lines = result.stdout.split('\n');

  it('lists every preset, in order, with its title and then one line per paper: citation and link', () => {
    expect(result.status, result.stderr).toBe(0);
    const headLines = lines.filter((line) => /^\S/.test(line) && !line.startsWith('Run one:') && !line.startsWith('What the engine'));
    expect(headLines.map((line) => line.split(/\s+/)[0])).toEqual(Object.keys(PRESETS));
    for (const [name, preset] of Object.entries(PRESETS)) {
      const at = lines.findIndex((line) => line.split(/\s+/)[0] === name);
      expect(lines[at], name).toMatch(new RegExp(`^${name}${name === DEFAULT_PRESET ? ' \\(default\\)' : ''} +${preset.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      const paperLines = lines.slice(at + 1, at + 1 + preset.papers.length);
      expect(paperLines, name).toEqual(preset.papers.map((id) => `    ${PAPERS[id].cite}  ${PAPERS[id].url}`));
      expect(lines[at + 1 + preset.papers.length], name).toMatch(/^(\S|$)/); // no other paper line
    }
  });
  it('fits a terminal: no line longer than 100 characters', () => {
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
  });
  it('--json: every preset with its papers (citation, title, link) and its spec', () => {
    const json = synthloop('presets', '--json');
    expect(json.status, json.stderr).toBe(0);
    const listings = JSON.parse(json.stdout) as PresetListing[];
    expect(listings.map((listing) => listing.name)).toEqual(Object.keys(PRESETS));
    for (const listing of listings) {
      const preset = PRESETS[listing.name];
      expect(listing.default).toBe(listing.name === DEFAULT_PRESET);
      expect(listing).toMatchObject({ title: preset.title, shows: preset.shows, spec: preset.spec });
      expect(listing.papers).toEqual(preset.papers.map((id) => PAPERS[id]));
      for (const paper of listing.papers) expect(paper.url).toMatch(PAPER_URL);
    }
  });
});
