// The built `synthloop` command, run as a user would.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('synthloop devices', () => {
  it('lists every working path with its description and compute limits', () => {
    const result = synthloop('devices', '--json');
    expect(result.status).toBe(0);
    const probes = JSON.parse(result.stdout) as { path: string; ok: boolean; adapter?: { description: string; limits: Record<string, number> } }[];
    expect(probes.filter((p) => p.ok).map((p) => p.path)).toEqual(paths);
    for (const p of probes.filter((p) => p.ok)) {
      expect(p.adapter!.description.length).toBeGreaterThan(0);
      expect(p.adapter!.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    }
  });
  it('prints a table naming each path', () => {
    const result = synthloop('devices');
    expect(result.status).toBe(0);
    for (const path of paths) expect(result.stdout).toContain(path);
    expect(result.stdout).toMatch(/storage binding \d+ MiB/);
  });
  it('rejects an unknown command with help', () => {
    const result = synthloop('frobnicate');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
