// `synthloop run`'s stderr, the built command run as a user would: a progress bar with ETA only
// where stderr is a terminal, nothing but the output where it is piped, and --quiet keeping the
// notes away too (errors still print).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../src/core/engine/result.js';

function synthloop(args: string[], env: NodeJS.ProcessEnv = {}) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
}

// Small and on the twin: quick, and no adapter involved unless a test asks for one.
const SMALL = ['run', 'dohmatob-replace', '--backend', 'cpu', '--replicates', '64', '--generations', '3'];
const dir = mkdtempSync(join(tmpdir(), 'synthloop-progress-'));

describe('synthloop run with stderr piped', () => {
  it('prints the output and nothing else: no progress line', () => {
    const result = synthloop([...SMALL, '--format', 'json']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as RunResult).generations).toHaveLength(4);
  });

  it('still prints what the user should know, unless --quiet', () => {
    const out = join(dir, 'run.csv');
    const loud = synthloop([...SMALL, '--format', 'csv', '--out', out]);
    expect(loud.status, loud.stderr).toBe(0);
    expect(loud.stderr).toBe(`wrote ${out}\n`);
    const quiet = synthloop([...SMALL, '--format', 'csv', '--out', out, '--quiet']);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^t,/);
  });

  it('--quiet keeps the fallback note away, not the result', () => {
    // A SwiftShader ICD that does not exist: that adapter fails everywhere, and backend auto
    // falls back to the twin with a note.
    const args = ['run', 'dohmatob-replace', '--adapter', 'swiftshader', '--replicates', '64', '--generations', '2', '--format', 'csv'];
    const env = { SYNTHLOOP_SWIFTSHADER_ICD: join(dir, 'missing_icd.json') };
    const loud = synthloop(args, env);
    expect(loud.status, loud.stderr).toBe(0);
    expect(loud.stderr).toMatch(/^note: No WebGPU adapter works here, so the float64 CPU twin ran instead/);
    const quiet = synthloop([...args, '--quiet'], env);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
  });

  it('--quiet still reports an invalid spec', () => {
    const result = synthloop([...SMALL, '--quiet', '--set', 'd=0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('d: must be an integer between 1 and 64, got 0\n');
  });
});

// util-linux `script` runs the command on a pseudo-terminal, so stderr is a TTY as in a shell.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('synthloop run on a terminal', () => {
  function onTerminal(args: string[]) {
    if (!hasScript) throw new Error('util-linux `script` not found: install it (Debian: apt-get install bsdutils)');
    if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
    const command = [process.execPath, 'dist/cli.js', ...args].map((word) => `'${word}'`).join(' ');
    return spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, COLUMNS: '100' } });
  }

  it('draws the bar with generation t/T, elapsed time and ETA, then erases it before the output', () => {
    const result = onTerminal([...SMALL, '--format', 'csv']);
    expect(result.status, result.stdout).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/\rgeneration –\/3 ░+ {3}0% · 0:\d\d elapsed · ETA –:––\x1b\[K/);
    expect(text).toMatch(/\rgeneration 3\/3 █+ 100% · 0:\d\d elapsed · ETA 0:00\x1b\[K/);
    // Erased, then the CSV from the start of a clean line.
    expect(text).toMatch(/\r\x1b\[Kt,mse,/);
  });

  it('on a WebGPU run, no native log line (Dawn\'s "Warning: …") breaks into the bar', () => {
    const result = onTerminal(['run', 'dohmatob-replace', '--backend', 'webgpu', '--replicates', '64', '--generations', '3', '--format', 'csv']);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/\rgeneration 3\/3 █+ 100% · 0:\d\d elapsed · ETA 0:00\x1b\[K/);
    expect(result.stdout).not.toMatch(/Warning: /);
  });

  it('--quiet draws nothing', () => {
    const result = onTerminal([...SMALL, '--format', 'csv', '--quiet']);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).not.toMatch(/generation|ETA|\x1b\[K/);
    expect(result.stdout).toMatch(/^t,mse,/);
  });
});
