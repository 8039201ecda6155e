/**
 * Tests that run bundled functions against moto or synthesize whole apps take seconds alone, and
 * several times that on a loaded 2-core CI machine: Jest's 5 s default made them fail on load, not on
 * behaviour. A test that hangs still fails, after a minute. (`testTimeout` is a global option, not a
 * project's, hence a setup file for the slow projects; the unit project keeps 5 s.)
 */
jest.setTimeout(60_000);
