// Every model folder's fixtures (src/models/<model>/fixtures.ts), for the tests that run every model.
import type { FixtureCase, GpuTwinCase, ModelFixtures } from '../../src/models/fixture.js';

const folders = import.meta.glob<{ fixtures: ModelFixtures }>('../../src/models/*/fixtures.ts', { eager: true });

/** Every folder's GPU ≡ twin cases, in folder order. */
export const gpuTwinCases = (): GpuTwinCase[] => Object.values(folders).flatMap(({ fixtures }) => [...fixtures.gpuTwin]);

/** Every folder's cases of one check, in folder order. */
export function fixtureCases(check: Exclude<keyof ModelFixtures, 'gpuTwin'>): FixtureCase[] {
  return Object.values(folders).flatMap(({ fixtures }) => [...(fixtures[check] ?? [])]);
}

/** The models named by a check's cases. */
export const modelsCovered = (check: keyof ModelFixtures) =>
  new Set(check === 'gpuTwin' ? gpuTwinCases().map(({ spec }) => spec.model as string) : fixtureCases(check).map(([, spec]) => spec.model as string));
