// Hostile input through the CLI, as a user could hand it over: every case ends within seconds with
// exit status 2, the problem (naming the file) on the first line of stderr, no stack trace, and
// nothing written. Spec, shard and checkpoint files are read by the same strict reader.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../src/cli/input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'synthloop-hostile-'));

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  const started = performance.now();
  const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** Exit 2 within `seconds`, the first stderr line starting with `first`, no stack trace, no stdout. */
function expectRefused(args: string[], first: string | RegExp, seconds = 10) {
  const result = synthloop(...args);
  expect(result.status, result.stderr).toBe(2);
  const [line] = result.stderr.split('\n');
  if (typeof first === 'string') expect(line.startsWith(first), line).toBe(true);
  else expect(line).toMatch(first);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
  expect(result.seconds).toBeLessThan(seconds);
  return result;
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const SPEC = { model: 'linear', d: 3, n0: 20, n: 20, generations: 1, replicates: 64, backend: 'cpu' };
/** `{"seed": "café"}` in Latin-1: é is the single byte 0xE9. */
const latin1 = (json: string) => Uint8Array.from(Buffer.from(json, 'latin1'));
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('UTF-8 validation', () => {
  it('finds the first byte of an invalid sequence, and none in valid text', () => {
    expect(firstInvalidUtf8(Buffer.from('{"seed": "café ✓ 😀"}'))).toBe(-1);
    expect(firstInvalidUtf8(latin1('{"seed": "café"}'))).toBe(13);
    expect(firstInvalidUtf8(Uint8Array.of(0x41, 0xc0, 0x80))).toBe(1); // an overlong encoding
    expect(firstInvalidUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Uint8Array.of(0x41, 0xe2, 0x9c))).toBe(1); // cut short
  });
});

describe('spec files', () => {
  it('in Latin-1: refused naming the byte, so "café" and "cafè" cannot silently become one seed', () => {
    const path = file('latin1.json', latin1(JSON.stringify({ ...SPEC, seed: 'café' })));
    expectRefused(['run', path], `${path}: is not valid UTF-8 (byte `);
  });

  it('nested 10⁵ levels deep, in a field or at the top: refused naming the nesting', () => {
    const top = file('deep-top.json', deep(100_000));
    expectRefused(['run', top], `${top}: nests arrays and objects deeper than 64 levels`);
    const inField = file('deep-field.json', `{"model": "linear", "seed": ${deep(100_000)}}`);
    expectRefused(['run', inField], `${inField}: nests arrays and objects deeper than 64 levels`);
  });

  it('larger than a spec file may be: refused before it is read', () => {
    const path = file('huge.json', `${JSON.stringify(SPEC)}${' '.repeat(17 * 2 ** 20)}`);
    expectRefused(['run', path], new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is \\d+ bytes, more than the \\d+ a spec file may have`));
  });

  it('a directory: refused as not a file', () => {
    expectRefused(['run', dir], `${dir}: is a directory, not a file`);
  });
});

describe('shard and checkpoint files go through the same reader', () => {
  it('merge: a Latin-1 or deeply nested shard file is refused naming it', () => {
    const bad = file('shard-latin1.json', latin1('{"synthloop": "shard", "source": "é"}'));
    expectRefused(['merge', bad], `${bad}: is not valid UTF-8`);
    const nested = file('shard-deep.json', deep(10_000));
    expectRefused(['merge', nested], `${nested}: nests arrays and objects deeper than 64 levels`);
  });

  it('--resume: a Latin-1 or deeply nested checkpoint is refused naming it', () => {
    const bad = file('checkpoint-latin1.json', latin1('{"synthloop": "checkpoint", "source": "é"}'));
    expectRefused(['run', '--resume', bad], `${bad}: is not valid UTF-8`);
    const nested = file('checkpoint-deep.json', `{"synthloop": "checkpoint", "spec": ${deep(10_000)}}`);
    expectRefused(['run', '--resume', nested], `${nested}: nests arrays and objects deeper than 64 levels`);
  });

  it('leave no file behind', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
