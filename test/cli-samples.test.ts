// `synthloop run --samples-out DIR`, the built command run as a user would: one PNG per round and
// sweep cell from a model that draws (mnist-cvae, tiny, on the CPU twin), a notice from one that
// does not, and the refusals before any work.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

const dir = mkdtempSync(join(tmpdir(), 'synthloop-samples-'));
const TINY = {
  model: 'mnist-cvae', hidden: 8, latent: 2, n: 100, steps: 5, chunk: 10, verifier: { hidden: [8], steps: 3 },
  evaluation: { images: 20, samples: 20, heldout: 10 }, generations: 1, replicates: 1, sweep: { keepFraction: [0.1, 1] },
};

describe('synthloop run --samples-out', () => {
  it('writes a 280×280 digit grid per round and sweep cell, into a folder it creates', () => {
    const spec = join(dir, 'tiny.json');
    writeFileSync(spec, JSON.stringify(TINY));
    const out = join(dir, 'new', 'samples');
    const result = synthloop('run', spec, '--backend', 'cpu', '--samples-out', out, '--format', 'json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cells).toHaveLength(2);
    expect(result.stderr).toContain(`wrote 4 image(s) to ${out}`);
    expect(readdirSync(out).sort()).toEqual(['keepFraction-0.1-round-0.png', 'keepFraction-0.1-round-1.png', 'keepFraction-1-round-0.png', 'keepFraction-1-round-1.png']);
    for (const file of readdirSync(out)) {
      const png = PNG.sync.read(readFileSync(join(out, file)));
      expect([png.width, png.height], file).toEqual([280, 280]);
      const values = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4) {
        expect(png.data[i + 1]).toBe(png.data[i]); // gray: r = g = b
        values.add(png.data[i]);
      }
      expect(values.size, `${file}: distinct gray levels`).toBeGreaterThan(10);
    }
  }, 120_000);

  it('says that a model draws no images, and writes none', () => {
    const out = join(dir, 'linear');
    const result = synthloop('run', 'dohmatob-replace', '--backend', 'cpu', '--replicates', '16', '--generations', '1', '--samples-out', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`note: --samples-out: the linear model draws no images; nothing was written to ${out}`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a path that exists and is not a folder, with exit code 2 and before any work', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const result = synthloop('run', 'dohmatob-replace', '--backend', 'cpu', '--samples-out', file);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`--samples-out: ${file} exists and is not a directory; name a folder (created if missing)\n`);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });
});
