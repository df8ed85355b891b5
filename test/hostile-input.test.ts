// Hostile input through the CLI, as a user could hand it over: every case ends within seconds with
// exit status 2, the problem (naming the file) on the first line of stderr, no stack trace, and
// nothing written. Spec, shard and checkpoint files are read by the same strict reader.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../src/cli/input-file.js';
import { readRunFile, runFileText, type RunFile } from '../src/cli/run-files.js';
import { mergeShards, parseSpec, PRESETS, runExperiment } from '../src/models/index.js';

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

/** A shard file and a checkpoint file of a small twin run, written by the CLI itself. */
function runFiles(name: string) {
  const shard = join(dir, `${name}-shard.json`), checkpoint = join(dir, `${name}-checkpoint.json`);
  const args = ['dohmatob-replace', '--backend', 'cpu', '--replicates', '300', '--generations', '2', '-q'];
  expect(synthloop('run', ...args, '--shard', '0/1', '--out', shard).status).toBe(0);
  expect(synthloop('run', ...args, '--checkpoint', checkpoint, '--out', join(dir, `${name}-out.txt`)).status).toBe(0);
  return { shard, checkpoint };
}

describe('shard and checkpoint files prove their integrity', () => {
  const { shard, checkpoint } = runFiles('integrity');

  it('a sum multiplied by 1.5, or one float64 short: refused by the digest, naming the file', () => {
    const content = JSON.parse(readFileSync(shard, 'utf8'));
    const sums = Buffer.from(content.sums[0][1].sum.base64, 'base64');
    const scaled = new Float64Array(sums.buffer.slice(sums.byteOffset, sums.byteOffset + sums.byteLength));
    scaled[1] *= 1.5;
    const edited = file('shard-scaled.json', JSON.stringify({ ...content, sums: [[content.sums[0][0], { ...content.sums[0][1], sum: { ...content.sums[0][1].sum, base64: Buffer.from(scaled.buffer).toString('base64') } }, ...content.sums[0].slice(2)]] }));
    expectRefused(['merge', edited], `${edited}: its digest does not match its content`);
    const short = file('shard-short.json', JSON.stringify({ ...content, sums: [[content.sums[0][0], { ...content.sums[0][1], sum: { ...content.sums[0][1].sum, base64: Buffer.from(scaled.buffer, 0, scaled.byteLength - 8).toString('base64') } }, ...content.sums[0].slice(2)]] }));
    expectRefused(['merge', short], `${short}: its digest does not match its content`);
  });

  it('a checkpoint whose seed was changed: refused, not resumed under the new seed', () => {
    const content = JSON.parse(readFileSync(checkpoint, 'utf8'));
    const edited = file('checkpoint-seed.json', JSON.stringify({ ...content, spec: { ...content.spec, seed: 99 } }));
    expectRefused(['run', '--resume', edited], `${edited}: its digest does not match its content`);
  });

  it('byte-level damage anywhere (fuzzed): always refused naming the file, never read as valid', () => {
    for (const [kind, path] of [['shard', shard], ['checkpoint', checkpoint]] as const) {
      const bytes = readFileSync(path);
      // The final newline is not content; every other byte is.
      fc.assert(fc.property(fc.nat({ max: bytes.length - 2 }), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'cut', 'drop'), (at, xor, how) => {
        const damaged = how === 'flip' ? Uint8Array.from(bytes, (b, i) => (i === at ? b ^ xor : b)) : how === 'cut' ? bytes.subarray(0, at) : Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        const target = file(`fuzz-${kind}.json`, damaged);
        expect(() => readRunFile(target, kind)).toThrow(new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      }), { numRuns: 150 });
    }
  });

  it('a merge refuses sums of the wrong length even when a file is re-signed (checked in mergeShards)', () => {
    const content = readRunFile(shard, 'shard');
    const sums = content.sums.map((cell) => cell.map((s, t) => (t === 1 ? { ...s, sum: s.sum.subarray(0, s.sum.length - 1) } : s)));
    expect(() => mergeShards([{ name: 'short.json', output: { ...content, sums } }])).toThrow(/short\.json: the sums of cell 0, generation 1 have \d+ and \d+ columns, not \d+/);
  });
});

describe('--resume re-validates what it resumes (files re-signed, as an editor with the format could)', () => {
  const { checkpoint } = runFiles('resume');
  const resigned = (name: string, edit: (content: RunFile<'checkpoint'>) => unknown) => {
    const content = readRunFile(checkpoint, 'checkpoint');
    return file(name, runFileText('checkpoint', content.source, edit(content) as RunFile<'checkpoint'>));
  };

  it('generations past the maximum, or d = 0: the spec refused as `run` refuses it (no WGSL error, no retry)', () => {
    const long = resigned('resume-long.json', (c) => ({ ...c, spec: { ...c.spec, generations: 99_999 } }));
    expectRefused(['run', '--resume', long], `${long}: spec.generations: must be an integer between`);
    const flat = resigned('resume-d0.json', (c) => ({ ...c, spec: { ...c.spec, d: 0 } }));
    expectRefused(['run', '--resume', flat], `${flat}: spec.d: must be an integer between 1 and 64, got 0`);
  });

  it('t beyond T, generations missing, no spec: refused naming what is wrong', () => {
    const late = resigned('resume-late.json', (c) => ({ ...c, t: 12 }));
    expectRefused(['run', '--resume', late], `${late}: resume: t must be a completed generation, an integer in 0..2, got 12`);
    const partial = resigned('resume-partial.json', (c) => ({ ...c, generations: [c.generations[0].slice(0, 1)] }));
    expectRefused(['run', '--resume', partial], `${partial}: resume: generations must hold generations 0..`);
    const specless = resigned('resume-specless.json', ({ spec: _, ...c }) => c);
    expectRefused(['run', '--resume', specless], `${specless}: spec.spec: must be an object with a "model" field, got nothing`);
  });
});

describe('output paths and flags are checked before any work', () => {
  it('--out naming a folder, or a folder that does not exist: refused at once, nothing left behind', () => {
    expectRefused(['run', 'yi-grid', '--out', dir], `--out: ${dir} is a directory; name a file`, 5);
    const missing = join(dir, 'no-such-folder', 'out.csv');
    expectRefused(['run', 'yi-grid', '--out', missing], `--out: ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist`, 5);
    expectRefused(['merge', join(dir, 'x.json'), '--out', dir], `--out: ${dir} is a directory; name a file`, 5);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--out equal to --checkpoint, and --adapter with the cpu backend: refused', () => {
    const same = join(dir, 'same.json');
    expectRefused(['run', '--backend', 'cpu', '--checkpoint', same, '--out', same], `--out: ${same} is also the checkpoint file`);
    expectRefused(['run', '--backend', 'cpu', '--adapter', 'llvmpipe'], '--adapter: names a WebGPU adapter, but the backend is cpu');
  });
});

describe('a deterministic GPU error is not a lost device', () => {
  it('a kernel that cannot compile (d = 0 past validation) fails at once, without recovery attempts', async () => {
    const spec = { ...parseSpec({ model: 'linear', d: 2, n0: 10, n: 10, generations: 1, replicates: 64, backend: 'webgpu' }), d: 0 };
    await expect(runExperiment(spec, { adapter: 'llvmpipe' })).rejects.toThrow(/^the GPU failed: invalid use/);
  });
});

describe('the memory plan refuses, before any allocation, what does not fit', () => {
  it.each(['cpu', 'llvmpipe', 'swiftshader'] as const)('2³¹ − 1 replicates on %s: refused in under a second with the largest R that fits', async (backend) => {
    const on = backend === 'cpu' ? ['--backend', 'cpu'] : ['--backend', 'webgpu', '--adapter', backend];
    // Through the CLI (its start-up included, on a machine busy with other tests: a looser bound) …
    const { stderr } = expectRefused(['run', '--replicates', String(2 ** 31 - 1), ...on], /^replicates: 2147483647 would need [\d.]+ GiB on (the CPU twin|WebGPU), beyond the memory budget of [\d.]+ GiB; at most \d+ fit/, 5);
    expect(Number(/at most (\d+) fit/.exec(stderr)![1])).toBeGreaterThan(1000);
    // … and the refusal itself, in this process: under a second, before any device is acquired.
    const spec = parseSpec({ ...PRESETS['dohmatob-replace'].spec, replicates: 2 ** 31 - 1, backend: backend === 'cpu' ? 'cpu' : 'webgpu' });
    const started = performance.now();
    await expect(runExperiment(spec, { adapter: backend === 'cpu' ? undefined : backend, memoryBudget: 2 ** 33 })).rejects.toThrow(/^replicates: 2147483647 would need/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the largest R it names does fit, and one more replicate does not', () => {
    const args = ['run', '--backend', 'cpu', '--set', 'd=2', '--set', 'n0=20', '--set', 'n=20', '--generations', '1', '--max-memory', '1MiB', '--format', 'json', '-q'];
    const { stderr } = expectRefused([...args, '--replicates', '1000000'], /^replicates: 1000000 would need .* at most \d+ fit/);
    const fits = Number(/at most (\d+) fit/.exec(stderr)![1]);
    const run = synthloop(...args, '--replicates', String(fits));
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).spec.replicates).toBe(fits);
    expectRefused([...args, '--replicates', String(fits + 1)], /^replicates: \d+ would need/);
  });

  it('--max-memory takes sizes with units and refuses anything else', () => {
    expectRefused(['run', '--max-memory', '12Q'], '--max-memory: must be a size such as 512MiB or 8GiB');
    expectRefused(['run', '--max-memory', '0'], '--max-memory: must be a size');
  });

  it('in the library too: runExperiment refuses past its memoryBudget with a SpecError on replicates', async () => {
    const spec = parseSpec({ model: 'gaussian', dim: 4, m: 10, generations: 1, replicates: 100_000, backend: 'cpu' });
    await expect(runExperiment(spec, { memoryBudget: 2 ** 20 })).rejects.toThrow(/^replicates: 100000 would need [\d.]+ MiB on the CPU twin, beyond the memory budget of 1\.0 MiB; at most \d+ fit/);
  });
});

describe('--resume checks the snapshot against the spec', () => {
  const { checkpoint } = runFiles('snapshot');
  it('a state one float short (re-signed): refused naming the file and the array', () => {
    const content = readRunFile(checkpoint, 'checkpoint');
    const [name] = Object.keys(content.snapshot);
    const array = content.snapshot[name];
    // Taken back to generation 0, so that the resumed run restores it.
    const short = file('resume-snapshot.json', runFileText('checkpoint', content.source, {
      ...content, t: 0, generations: content.generations.map((cell) => cell.slice(0, 1)),
      snapshot: { ...content.snapshot, [name]: array.subarray(0, array.length - 1) },
    }));
    expectRefused(['run', '--resume', short], `${short}: snapshot: "${name}" must be a `);
  });
});
