#!/usr/bin/env node
// Machine set-up after `npm install`: makes sure a WebGPU adapter works here.
// Debian packages are installed only where no adapter works (or, with --all-software,
// where either software path is missing, as CI needs both), and only where apt exists.
//   node scripts/setup.mjs [--all-software]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = {
  llvmpipe: ['libegl1', 'libgl1-mesa-dri'],          // Mesa llvmpipe over OpenGL (EGL surfaceless)
  swiftshader: ['chromium', 'libvulkan1'],           // SwiftShader's Vulkan ICD ships with chromium
};
const allSoftware = process.argv.includes('--all-software');

function probe() {
  if (!existsSync('dist/cli.js')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  const result = spawnSync(process.execPath, ['dist/cli.js', 'devices', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return JSON.parse(result.stdout).filter((p) => p.ok).map((p) => p.path);
  } catch {
    return [];
  }
}

function aptInstall(packages) {
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!hasApt) {
    console.error(`setup: apt-get not found; install the equivalents of: ${packages.join(' ')}`);
    return false;
  }
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : ['sudo'];
  const run = (args) => {
    console.log(`setup: ${[...prefix, ...args].join(' ')}`);
    execFileSync(prefix[0] ?? args[0], prefix.length ? args : args.slice(1), {
      stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
  return true;
}

let working = probe();
const wanted = allSoftware ? Object.keys(PACKAGES).filter((p) => !working.includes(p)) : working.length ? [] : Object.keys(PACKAGES);
if (wanted.length) {
  console.log(`setup: adapters working now: ${working.join(', ') || 'none'}; installing what ${wanted.join(' and ')} need`);
  if (aptInstall(wanted.flatMap((p) => PACKAGES[p]))) working = probe();
} else {
  console.log(`setup: WebGPU adapters working: ${working.join(', ')}; no system packages needed`);
}
if (!working.length) {
  console.error('setup: still no working WebGPU adapter; `npx synthloop devices` says why. The CPU twin (--backend cpu) works without one.');
  process.exit(1);
}
const missing = allSoftware ? Object.keys(PACKAGES).filter((p) => !working.includes(p)) : [];
if (missing.length) {
  console.error(`setup: ${missing.join(', ')} still not working`);
  process.exit(1);
}
console.log(`setup: ready (${working.join(', ')})`);
