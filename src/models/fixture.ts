/**
 * What a model folder gives the cross-cutting tests (test/helpers/fixtures.ts finds every
 * `<model>/fixtures.ts`): small specs, named, for each check that runs every model. Test data,
 * kept beside the model so that adding a model edits no test.
 */
export type FixtureCase = [name: string, spec: Record<string, unknown>];

export interface ModelFixtures {
  snapshot: readonly FixtureCase[];
  shard: readonly FixtureCase[];
  recovery?: readonly FixtureCase[];
}
