/**
 * Writes alert/schema.json (the published JSON Schema of the SNS alert document) from the one
 * schema in lambda/core/alert-schema.ts. `npm run alert:schema`; a unit test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertJsonSchema } from '../lambda/core/alert-schema';

const file = join(__dirname, '..', 'alert', 'schema.json');
writeFileSync(file, `${JSON.stringify(alertJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
