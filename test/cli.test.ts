// The built `synthloop` command, run as a user would.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

function synthloop(...args: string[]) {
  return synthloopWith({}, ...args);
}

function synthloopWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
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
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
  it('prints no colour where stdout is piped, or with NO_COLOR', () => {
    expect(synthloopWith({ NO_COLOR: '', FORCE_COLOR: undefined }, 'devices').stdout).not.toContain('\x1b[');
    expect(synthloopWith({ NO_COLOR: '1', FORCE_COLOR: undefined }, 'devices').stdout).not.toContain('\x1b[');
    // The borders are grey where colour is on: what the two above check is there to leave out.
    expect(synthloopWith({ NO_COLOR: undefined, FORCE_COLOR: '1' }, 'devices').stdout).toContain('\x1b[');
  });
});

describe('synthloop as a conventional command', () => {
  it('--version and -V print package.json\'s version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = synthloop(flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });
  it('--help exits 0', () => {
    for (const args of [['--help'], ['run', '--help'], ['help', 'bench']]) expect(synthloop(...args).status).toBe(0);
  });
  it.each([
    ['an unknown option', ['run', '--frobnicate']],
    ['a missing argument', ['bench']],
    ['a missing option argument', ['run', '--set']],
    ['a bad choice', ['run', '--format', 'xml']],
    ['a bad workload', ['bench', 'frobnicate']],
    ['an unknown command', ['frobnicate']],
  ])('a usage error (%s) exits 2 with the problem on the first line of stderr', (_, args) => {
    const result = synthloop(...args);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^error: /);
    expect(result.stdout).toBe('');
  });
});

// Dawn (and Mesa, the Vulkan loader) write warnings with C fprintf: the CLI keeps them away
// unless --verbose. The library keeps its hands off the fds, so loading it shows what they are.
describe.each(paths)('native log lines on %s', (path) => {
  const run = ['run', '--backend', 'webgpu', '--adapter', path, '--replicates', '64', '--generations', '2', '--format', 'csv'];
  const library = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { acquireDevice } from './dist/index.js'; (await acquireDevice({ adapter: '${path}' })).device.destroy(); process.exit(0);`],
  { encoding: 'utf8', timeout: 120_000 });
  const native = library.stderr.split('\n').filter(Boolean);

  it('--quiet: stderr is empty', () => {
    expect(library.status, library.stderr).toBe(0);
    const result = synthloop(...run, '--quiet');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^t,/);
  });
  it('by default: no native line on stderr', () => {
    const result = synthloop(...run);
    expect(result.status, result.stderr).toBe(0);
    for (const line of native) expect(result.stderr).not.toContain(line);
    expect(result.stderr).not.toMatch(/^Warning: /m);
  });
  it('--verbose (on the command or before it): the native lines come through', (context) => {
    if (!native.length) context.skip(`the library printed no native line on ${path} here`);
    for (const args of [[...run, '--verbose', '--quiet'], ['--verbose', ...run, '--quiet']]) {
      const result = synthloop(...args);
      expect(result.status, result.stderr).toBe(0);
      for (const line of native) expect(result.stderr).toContain(line);
    }
  });
});
