/**
 * How many examples a property test of the core draws. In `npm test`, the number the test asks
 * for. Under StrykerJS (`npm run test:mutation`, which sets STRYKER_MUTATOR_WORKER in its workers)
 * at most 100: every mutant of a module reruns the property tests that cover it, and a few thousand
 * examples each made them most of a run's time. A mutant only a rare example would catch then
 * survives, so the score stays a lower bound (docs/testing.md#mutation-testing).
 */
export const MUTATION_RUN_CAP = 100;

export function propertyRuns(requested: number, env: NodeJS.ProcessEnv = process.env): number {
  return env['STRYKER_MUTATOR_WORKER'] === undefined ? requested : Math.min(requested, MUTATION_RUN_CAP);
}
