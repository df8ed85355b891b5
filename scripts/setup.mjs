#!/usr/bin/env node
// Machine set-up after `npm install` (the README's first command): everything the test suite needs
// beyond npm packages — both software WebGPU adapters and Chromium for the page tests. What is
// missing is installed with apt where apt exists; elsewhere setup says what to install, and the
// tests that need it fail saying the same. A run needs none of it: with no adapter, the CPU twin runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.SYNTHLOOP_CHROMIUM ?? '/usr/bin/chromium';
/** Each need (an adapter path, or Chromium): the Debian packages that meet it, and what it is for. */
const NEEDS = {
  llvmpipe: { packages: ['libegl1', 'libgl1-mesa-dri'], why: 'Mesa llvmpipe over OpenGL, the fast software adapter' },
  swiftshader: { packages: ['chromium', 'libvulkan1'], why: 'SwiftShader over Vulkan (its ICD ships with chromium), the core-level software adapter' },
  chromium: { packages: ['chromium'], why: 'headless Chromium for the demo and packaged-page tests' },
};

function build() {
  if (!existsSync('dist/cli.js')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}

/** The adapters working now, and the needs not met. */
function survey() {
  const result = spawnSync(process.execPath, ['dist/cli.js', 'devices', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let working = [];
  try {
    working = JSON.parse(result.stdout).filter((p) => p.ok).map((p) => p.path);
  } catch {
    // No JSON: no adapter could even be probed; every adapter need stays unmet.
  }
  return { working, missing: Object.keys(NEEDS).filter((need) => !(need === 'chromium' ? existsSync(CHROMIUM) : working.includes(need))) };
}

function aptInstall(packages) {
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return false;
  const prefix = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => {
    const [command, ...rest] = [...prefix, ...args];
    console.log(`setup: ${[command, ...rest].join(' ')}`);
    execFileSync(command, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
  return true;
}

build();
let state = survey();
if (state.missing.length) {
  const packages = [...new Set(state.missing.flatMap((need) => NEEDS[need].packages))];
  console.log(`setup: missing ${state.missing.join(', ')}; installing ${packages.join(' ')}`);
  if (aptInstall(packages)) state = survey();
  else console.error('setup: apt-get not found here');
}
for (const need of state.missing) {
  console.error(`setup: still missing ${need} (${NEEDS[need].why}): install the equivalent of ${NEEDS[need].packages.join(' ')}; the tests that need it fail until then`);
}
console.log(`setup: WebGPU adapters working: ${state.working.join(', ') || 'none (runs use the float64 CPU twin)'}; Chromium: ${existsSync(CHROMIUM) ? CHROMIUM : 'missing'}`);
