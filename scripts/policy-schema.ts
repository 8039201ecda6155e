/**
 * Writes policy/schema.json (the published JSON Schema of the policy file) and policy/default.json
 * (the built-in defaults, spelled out) from the one schema in lambda/core/policy.ts.
 * `npm run policy:schema`; a unit test fails when either file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, policyJsonSchema } from '../lambda/core/policy';

const dir = join(__dirname, '..', 'policy');
writeFileSync(join(dir, 'schema.json'), `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
writeFileSync(join(dir, 'default.json'), `${JSON.stringify({ $schema: './schema.json', ...DEFAULT_POLICY }, null, 2)}\n`);
console.log(`wrote ${join(dir, 'schema.json')} and ${join(dir, 'default.json')}`);
