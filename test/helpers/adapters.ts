// The adapter paths GPU tests run on: every one that works here, and always both software paths,
// so a machine without their system packages fails the suite, saying what to install, instead of
// silently shrinking it (`npm run setup` installs them where apt exists).
import { probeAdapters } from '../../src/core/gpu/device.js';
import { NODE_PATHS, type AdapterPath } from '../../src/core/adapter.js';

const REQUIRED: Partial<Record<AdapterPath, string>> = {
  llvmpipe: 'Mesa llvmpipe: apt-get install libegl1 libgl1-mesa-dri',
  swiftshader: 'SwiftShader: apt-get install chromium libvulkan1',
};

export async function workingPaths(): Promise<AdapterPath[]> {
  const probes = await probeAdapters();
  const working = probes.filter((p) => p.ok).map((p) => p.path);
  const missing = probes.filter((p) => !p.ok && p.path in REQUIRED);
  if (missing.length) {
    const reasons = missing.map((p) => `${p.path} (${'reason' in p ? p.reason : 'not working'}; ${REQUIRED[p.path]})`);
    throw new Error(`the tests run on both software adapters, and these do not work here: ${reasons.join('; ')}. Run \`npm run setup\`, which installs them where apt exists.`);
  }
  if (!working.length) throw new Error(`no WebGPU adapter works here (tried ${NODE_PATHS.join(', ')}): run \`npm run setup\``);
  return working;
}
